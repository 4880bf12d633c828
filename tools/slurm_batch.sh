#!/usr/bin/env bash
# A long training run as one Slurm batch job that survives its time limit:
#   sbatch -p PARTITION --ntasks=8 [--gres=gpu:8] [--time=24:00:00] \
#       tools/slurm_batch.sh CONFIG WORK_DIR [train.py options]
# The tools are found next to this script (Slurm's `Command=`), or under VLT_ROOT.
#
#SBATCH --job-name=vltoolkit
#SBATCH --requeue
#SBATCH --signal=B:USR1@120
#SBATCH --open-mode=append
#SBATCH --output=slurm-%x-%j.out
#
# --signal=B:USR1@120: 120 s before the time limit Slurm sends SIGUSR1 to this
# script (B: the batch shell only). The trap below forwards it to srun, srun to
# every task; the run (PreemptionHook) saves iter_N.pth after its current
# iteration and exits with code 75 (PREEMPTED_EXIT_CODE); this script then
# requeues the job (`scontrol requeue`, allowed by --requeue). The requeued
# job runs this script again, and tools/slurm_train.sh resumes from WORK_DIR's
# checkpoint. Give the run enough seconds for one iteration plus a save.
# SIGTERM (scancel, preemption) is forwarded too: the run saves and stops, and
# the job is not requeued here (Slurm requeues preempted jobs itself when
# PreemptMode=REQUEUE).
set -u
if [ $# -lt 2 ]; then
    echo "usage: sbatch [sbatch options] $0 CONFIG WORK_DIR [train.py options]" >&2
    exit 2
fi
# sbatch runs a copy of this script; the original's path is the job's Command
ROOT=${VLT_ROOT:-}
if [ -z "${ROOT}" ]; then
    script=$(scontrol show job "${SLURM_JOB_ID:-0}" 2>/dev/null | sed -n 's/^ *Command=\([^ ]*\).*/\1/p')
    ROOT=$(cd "${SLURM_SUBMIT_DIR:-.}" && cd "$(dirname "${script:-.}")/.." && pwd)
fi
[ -x "${ROOT}/tools/slurm_train.sh" ] || {
    echo "$0: ${ROOT}/tools/slurm_train.sh not found: set VLT_ROOT to the vltoolkit folder" >&2
    exit 2; }
PREEMPTED_EXIT_CODE=75  # vltoolkit/engine/hooks/preemption_hook.py

# the job's own size: tasks, tasks per node; the step gets the job's GPUs
export GPUS=${SLURM_NTASKS:-1}
export GPUS_PER_NODE=${GPUS_PER_NODE:-$(( GPUS / ${SLURM_JOB_NUM_NODES:-1} ))}
export GRES=${GRES-}
# the CPUs sbatch gave each task (1 unless --cpus-per-task), not the node's
export CPUS_PER_TASK=${CPUS_PER_TASK:-${SLURM_CPUS_PER_TASK:-1}}
echo "$(date '+%F %T') job ${SLURM_JOB_ID:-?} (restart ${SLURM_RESTART_COUNT:-0}): $*"

caught=""
child=""
forward() {
    caught=$1
    echo "$(date '+%F %T') SIG$1: asking the run to save and stop"
    [ -n "${child}" ] && kill -s "$1" "${child}" 2>/dev/null
}
trap 'forward USR1' USR1
trap 'forward TERM' TERM

"${ROOT}/tools/slurm_train.sh" "${SLURM_JOB_PARTITION:-}" "${SLURM_JOB_NAME:-vltoolkit}" "$@" &
child=$!  # srun (slurm_train.sh execs it)
while kill -0 "${child}" 2>/dev/null; do
    wait "${child}"  # returns early when a trapped signal arrives
done
wait "${child}"
code=$?
echo "$(date '+%F %T') the run exited with ${code}"
if [ "${code}" = "${PREEMPTED_EXIT_CODE}" ] && [ "${caught}" = USR1 ]; then
    echo "$(date '+%F %T') checkpoint saved: requeueing job ${SLURM_JOB_ID}"
    scontrol requeue "${SLURM_JOB_ID}"
fi
exit "${code}"
