# Sourced by tools/slurm_train.sh and slurm_test.sh: the srun resource options
# of PARTITION for GPUS tasks, GPUS_PER_NODE per node, into SRUN_RESOURCES.
#   GRES           --gres per node. Default: gpu:GPUS_PER_NODE when sinfo lists
#                  GPUs for the partition (or sinfo cannot tell), nothing on a
#                  CPU partition (which answers "Invalid generic resource").
#                  GRES= (empty) never passes --gres.
#   CPUS_PER_TASK  default: 5, or less so that GPUS_PER_NODE tasks fit the
#                  partition's smallest node (sinfo %c), at least 1.
_part_gres=$(sinfo -h -p "${PARTITION}" -o %G 2>/dev/null || true)
if [ -z "${GRES+x}" ]; then
    if [ -z "${_part_gres}" ] || [[ "${_part_gres}" == *gpu* ]]; then
        GRES="gpu:${GPUS_PER_NODE}"
    else
        GRES=""
    fi
fi
if [ -z "${CPUS_PER_TASK:-}" ]; then
    CPUS_PER_TASK=5
    _node_cpus=$(sinfo -h -p "${PARTITION}" -o %c 2>/dev/null | tr -dc '0-9\n' | sort -n | head -n1 || true)
    if [ -n "${_node_cpus}" ] && [ "${_node_cpus}" -gt 0 ]; then
        _fit=$(( _node_cpus / GPUS_PER_NODE ))
        [ "${_fit}" -lt 1 ] && _fit=1
        [ "${_fit}" -lt "${CPUS_PER_TASK}" ] && CPUS_PER_TASK=${_fit}
    fi
fi
SRUN_RESOURCES=(--ntasks="${GPUS}" --ntasks-per-node="${GPUS_PER_NODE}"
                --cpus-per-task="${CPUS_PER_TASK}")
if [ -n "${GRES}" ]; then
    SRUN_RESOURCES+=(--gres="${GRES}")
fi
