#!/usr/bin/env bash
# Train on a Slurm cluster (OpenMMLab's form): one task per GPU (or per CPU
# process on a CPU partition); srun sets the ranks and `--launcher slurm`
# reads them.
#   [GPUS=16] [GPUS_PER_NODE=8] [CPUS_PER_TASK=5] [GRES=gpu:8] [SRUN_ARGS="..."] \
#   tools/slurm_train.sh PARTITION JOB_NAME CONFIG WORK_DIR [train.py options]
# e.g. GPUS=16 tools/slurm_train.sh gpu hoi_large configs/hoi/ce_onehot_large.py \
#          work_dirs/hoi_large --strategy fsdp --amp
# GRES and the CPUS_PER_TASK default come from the partition
# (tools/slurm_resources.sh). When WORK_DIR holds a checkpoint (a requeued or
# preempted job), the run resumes from it (`--resume` is added unless given).
# A run stopped by SIGTERM / SIGUSR1 saves and exits with code 75
# (PREEMPTED_EXIT_CODE, vltoolkit/engine/hooks/preemption_hook.py).
set -e
if [ $# -lt 4 ]; then
    echo "usage: [GPUS=8] [GPUS_PER_NODE=8] [CPUS_PER_TASK=5] [GRES=gpu:8] [SRUN_ARGS=...]" \
         "$0 PARTITION JOB_NAME CONFIG WORK_DIR [train.py options]" >&2
    exit 2
fi
PARTITION=$1
JOB_NAME=$2
CONFIG=$3
WORK_DIR=$4
GPUS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-$(( GPUS < 8 ? GPUS : 8 ))}
SRUN_ARGS=${SRUN_ARGS:-""}
PYTHON=${PYTHON:-python}
PY_ARGS=("${@:5}")
source "$(dirname "$0")/slurm_resources.sh"

if [ -f "${WORK_DIR}/last_checkpoint" ] || compgen -G "${WORK_DIR}/*.pth" > /dev/null; then
    case " ${PY_ARGS[*]} " in
        *" --resume"*) ;;
        *) echo "$0: ${WORK_DIR} holds a checkpoint: resuming from it (--resume)" >&2
           PY_ARGS+=(--resume) ;;
    esac
fi

export PYTHONPATH="$(dirname "$0")/..":$PYTHONPATH
# exec: srun gets the signals sent to this script and forwards them to the tasks
exec srun -p "${PARTITION}" \
    --job-name="${JOB_NAME}" \
    "${SRUN_RESOURCES[@]}" \
    --kill-on-bad-exit=1 \
    ${SRUN_ARGS} \
    "${PYTHON}" -u "$(dirname "$0")/train.py" "${CONFIG}" --work-dir="${WORK_DIR}" \
    --launcher=slurm "${PY_ARGS[@]}"
