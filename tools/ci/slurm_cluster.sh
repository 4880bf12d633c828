#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for the real-engine tests
# (tests/test_real_engines/test_slurm.py) and for trying the Slurm scripts.
#   tools/ci/slurm_cluster.sh start DIR   # prints `export SLURM_CONF=DIR/slurm.conf`
#   tools/ci/slurm_cluster.sh stop DIR    # stops the daemons by their PIDs
# Needs root and `apt-get install -y slurm-wlm munge` (Debian / Ubuntu). No
# systemd, no cgroups: proctrack/linuxproc, task/none, select/cons_tres; one
# partition `cpu` (default) with this node's CPUs and memory as `slurmd -C`
# reports them (not `nproc`, which answers 1 under OMP_NUM_THREADS=1, as in the
# pytest-xdist workers: a 1-CPU node never fits a 2-task job, and srun waits
# with "Requested partition configuration not available now"); everything
# (config, munge key and socket, state, logs, PID files) lives in DIR. Ports:
# SLURM_PORTS_BASE (default 16817: slurmctld, +1: slurmd). `stop` cancels the
# cluster's jobs, then stops the daemons.
set -euo pipefail
ACTION=${1:?usage: $0 start|stop DIR}
DIR=$(mkdir -p "${2:?usage: $0 start|stop DIR}" && cd "$2" && pwd)
BASE=${SLURM_PORTS_BASE:-16817}

stop() {
    if [ -f "${DIR}/slurmctld.pid" ] && kill -0 "$(cat "${DIR}/slurmctld.pid")" 2>/dev/null; then
        jobs=$(SLURM_CONF="${DIR}/slurm.conf" squeue -h -o %i 2>/dev/null || true)
        if [ -n "${jobs}" ]; then
            # shellcheck disable=SC2086
            SLURM_CONF="${DIR}/slurm.conf" scancel --full ${jobs} 2>/dev/null || true
            for _ in $(seq 100); do
                [ -z "$(SLURM_CONF="${DIR}/slurm.conf" squeue -h -o %i 2>/dev/null)" ] && break
                sleep 0.1
            done
        fi
    fi
    stop_pids slurmd slurmctld munged  # together: slurmctld and munged take ~2 s each
}

stop_pids() {  # SIGTERM to each recorded PID, up to 5 s for all, then SIGKILL
    local pids=() name pid alive
    for name in "$@"; do
        if [ -f "${DIR}/${name}.pid" ]; then
            pids+=("$(cat "${DIR}/${name}.pid")")
            rm -f "${DIR}/${name}.pid"
        fi
    done
    [ "${#pids[@]}" = 0 ] && return 0
    kill "${pids[@]}" 2>/dev/null || true
    for _ in $(seq 50); do
        alive=0
        for pid in "${pids[@]}"; do kill -0 "${pid}" 2>/dev/null && alive=1; done
        [ "${alive}" = 0 ] && return 0
        sleep 0.1
    done
    kill -9 "${pids[@]}" 2>/dev/null || true
}

if [ "${ACTION}" = stop ]; then
    stop
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "$0: needs root (slurmd starts jobs as their user)" >&2
    exit 1
fi
for cmd in munged slurmctld slurmd sinfo; do
    command -v "${cmd}" > /dev/null || {
        echo "$0: ${cmd} not found: apt-get install -y slurm-wlm munge" >&2; exit 1; }
done

NODE=$(hostname -s)
# the node as slurmd sees it (e.g. "NodeName=vm CPUs=2 ... RealMemory=24105");
# CPUs without the socket / core / thread layout: with CR_Core, a 2-thread
# core would count as one CPU to allocate
HW=$(slurmd -C 2>/dev/null | head -n1 || true)
CPUS=$(sed -n 's/.* CPUs=\([0-9]*\).*/\1/p' <<< "${HW}")
MEM=$(sed -n 's/.* RealMemory=\([0-9]*\).*/\1/p' <<< "${HW}")
CPUS=${CPUS:-$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc)}
MEM=${MEM:-1}
mkdir -p "${DIR}/state" "${DIR}/spool" "${DIR}/munge"
chmod 711 "${DIR}/munge"
[ -f "${DIR}/munge/munge.key" ] || { head -c 1024 /dev/urandom > "${DIR}/munge/munge.key"; }
chmod 400 "${DIR}/munge/munge.key"
cat > "${DIR}/slurm.conf" <<CONF
ClusterName=vltci
SlurmctldHost=${NODE}(127.0.0.1)
SlurmctldPort=${BASE}
SlurmdPort=$((BASE + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=${DIR}/munge/munge.socket
StateSaveLocation=${DIR}/state
SlurmdSpoolDir=${DIR}/spool/slurmd-%n
SlurmctldPidFile=${DIR}/slurmctld.daemon.pid
SlurmdPidFile=${DIR}/slurmd.daemon.pid
SlurmctldLogFile=${DIR}/slurmctld.log
SlurmdLogFile=${DIR}/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
MpiDefault=none
SwitchType=switch/none
ReturnToService=2
JobRequeue=1
KillWait=30
SchedulerParameters=sched_interval=2
NodeName=${NODE} NodeAddr=127.0.0.1 CPUs=${CPUS} RealMemory=${MEM} State=UNKNOWN
PartitionName=cpu Nodes=${NODE} Default=YES MaxTime=INFINITE State=UP
CONF
: > "${DIR}/cgroup.conf"

stop  # leftovers of an earlier start in DIR
munged -F --force --key-file="${DIR}/munge/munge.key" --socket="${DIR}/munge/munge.socket" \
    --pid-file="${DIR}/munge/munged.pid" --log-file="${DIR}/munged.log" \
    --seed-file="${DIR}/munge/munged.seed" < /dev/null > "${DIR}/munged.out" 2>&1 &
echo $! > "${DIR}/munged.pid"
for _ in $(seq 50); do [ -S "${DIR}/munge/munge.socket" ] && break; sleep 0.1; done
export SLURM_CONF="${DIR}/slurm.conf"
slurmctld -D -i -f "${SLURM_CONF}" < /dev/null > "${DIR}/slurmctld.out" 2>&1 &
echo $! > "${DIR}/slurmctld.pid"
slurmd -D -f "${SLURM_CONF}" < /dev/null > "${DIR}/slurmd.out" 2>&1 &
echo $! > "${DIR}/slurmd.pid"
for _ in $(seq 300); do
    if [ "$(sinfo -h -o %t 2>/dev/null)" = idle ]; then
        echo "export SLURM_CONF=${SLURM_CONF}  # node ${NODE}: ${CPUS} CPUs, ${MEM} MB"
        exit 0
    fi
    sleep 0.2
done
echo "$0: the node did not become idle in 60 s; logs in ${DIR}:" >&2
scontrol show node >&2 || true
tail -n 20 "${DIR}"/slurmctld.log "${DIR}"/slurmd.log "${DIR}"/*.out >&2 || true
stop
exit 1
