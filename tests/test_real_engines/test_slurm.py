"""tools/slurm_train.sh, slurm_test.sh and slurm_batch.sh on a real one-node
Slurm cluster (tools/ci/slurm_cluster.sh: slurmctld + slurmd + munged on
this machine, a CPU partition): 2 tasks train and test on the CPU, and a
batch job signalled as at its time limit saves, requeues itself, resumes and
ends with the weights of an uninterrupted run.

Each wait is bounded (an srun gets its resources within a minute, a job
pending for another reason than its BeginTime fails after a minute) and a
failure shows the node, the queue and the daemons' logs."""

import os
import shutil
import socket
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT

from .conftest import TOY_CFG, free_port, max_weight_diff, weights

pytestmark = [pytest.mark.real_engine, pytest.mark.slow]

CLUSTER = ROOT / 'tools' / 'ci' / 'slurm_cluster.sh'
# 32 pairs, 2 tasks x 2: 8 iterations; a checkpoint every 4
OPTS = [
    'train_cfg.max_epochs=1',
    'train_cfg.val_interval=1',
    'train_dataloader.batch_size=2',
    'train_dataloader.dataset.indices=32',
    'val_dataloader.batch_size=4',
    'test_dataloader.batch_size=4',
    'default_hooks.logger.interval=4',
    'default_hooks.checkpoint.by_epoch=False',
    'default_hooks.checkpoint.interval=4',
    'default_hooks.checkpoint.max_keep_ckpts=-1',
]


#: the tasks of every run; srun gives up when the node cannot take them in
#: a minute (the default is to wait for ever)
TASKS = 2
SRUN_WAIT_S = 60


def _skip_reason():
    if os.geteuid() != 0:
        return 'needs root (slurmd starts the jobs)'
    missing = [c for c in ('slurmctld', 'slurmd', 'munged', 'sbatch') if not shutil.which(c)]
    if missing:
        return f'{missing} not installed: apt-get install -y slurm-wlm munge'
    return None


def _free_port_pair() -> int:
    """A port P with P and P + 1 free (slurmctld, slurmd)."""
    for _ in range(50):
        port = free_port()
        try:
            with socket.socket() as s:
                s.bind(('127.0.0.1', port + 1))
            return port
        except OSError:
            continue
    raise RuntimeError('no two consecutive free ports')


@pytest.fixture(scope='module')
def slurm(tmp_path_factory):
    """A running one-node cluster; the environment that reaches it. Stopped
    (by the PIDs its start script recorded) at the end."""
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    state = tmp_path_factory.mktemp('slurm')
    start = subprocess.run(
        ['bash', str(CLUSTER), 'start', str(state)],
        # free ports: another session's cluster may run on this machine
        env=dict(os.environ, SLURM_PORTS_BASE=str(_free_port_pair())),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert start.returncode == 0, start.stdout + start.stderr
    env = dict(
        os.environ,
        SLURM_CONF=str(state / 'slurm.conf'),
        PYTHON=sys.executable,
        OMP_NUM_THREADS='1',
        PYTHONHASHSEED='0',
    )
    for key in ('GPUS', 'GPUS_PER_NODE', 'CPUS_PER_TASK', 'GRES', 'SRUN_ARGS', 'MASTER_ADDR'):
        env.pop(key, None)
    env['VLT_TEST_SLURM_DIR'] = str(state)  # where _report finds the logs
    try:
        cpus = subprocess.run(
            ['sinfo', '-h', '-o', '%c'], env=env, capture_output=True, text=True
        ).stdout.strip()
        assert cpus.isdigit() and int(cpus) >= TASKS, (
            f'the node has {cpus!r} CPUs, the test runs {TASKS} tasks\n{_report(env)}'
        )
        yield env
    finally:
        subprocess.run(['bash', str(CLUSTER), 'stop', str(state)], timeout=60)


def _report(env) -> str:
    """The node, the queue and the tails of the daemons' logs."""
    out = []
    for cmd in (['scontrol', 'show', 'node'], ['squeue', '-o', '%i %T %r %M']):
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=30)
        out.append(f'$ {" ".join(cmd)}\n{proc.stdout}{proc.stderr}')
    state = env['VLT_TEST_SLURM_DIR']
    for log in ('slurmctld.log', 'slurmd.log'):
        path = os.path.join(state, log)
        if os.path.isfile(path):
            with open(path) as f:
                out.append(f'--- {path} (tail)\n' + ''.join(f.readlines()[-30:]))
    return '\n'.join(out)


def _script(name, args, cwd, env, timeout=300):
    env = dict(
        env, GPUS=str(TASKS), MASTER_PORT=str(free_port()), SRUN_ARGS=f'--immediate={SRUN_WAIT_S}'
    )
    try:
        proc = subprocess.run(
            ['bash', str(ROOT / 'tools' / name), *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as exc:  # its output comes as bytes
        err = (exc.stderr or b'').decode(errors='replace')[-5000:]
        raise AssertionError(
            f'{name} still running after {timeout} s\n{err}\n{_report(env)}'
        ) from None
    assert proc.returncode == 0, (
        f'{name} exited {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}\n'
        f'{_report(env)}'
    )
    return proc.stdout + proc.stderr


def _macro_f1(log):
    import re

    found = re.findall(r'hoi/macro_f1: ([0-9.]+)', log)
    assert found, log[-3000:]
    return float(found[-1])


def _wait_for_job(job, env, out, timeout=300, pending_s=SRUN_WAIT_S):
    """Until the job has left the queue; a requeued job waits for its
    BeginTime (Slurm holds a requeued batch job back ~2 min): release it.
    Pending for any other reason longer than ``pending_s``: fail."""
    start = time.time()
    pending_since = None
    while time.time() - start < timeout:
        state = subprocess.run(
            ['squeue', '-h', '-j', job, '-o', '%T %r'], env=env, capture_output=True, text=True
        ).stdout.split()
        if not state:
            return
        if state == ['PENDING', 'BeginTime']:
            subprocess.run(['scontrol', 'update', f'JobId={job}', 'StartTime=now'], env=env)
        if state[0] == 'PENDING' and state != ['PENDING', 'BeginTime']:
            pending_since = pending_since or time.time()
            if time.time() - pending_since > pending_s:
                break
        else:
            pending_since = None
        time.sleep(1)
    text = out.read_text() if out.is_file() else ''
    report = _report(env)
    subprocess.run(['scancel', job], env=env)
    raise AssertionError(
        f'job {job} still queued ({" ".join(state)}) after {time.time() - start:.0f} s:\n'
        f'{text[-4000:]}\n{report}'
    )


def test_train_test_and_a_requeued_batch_job_end_like_an_uninterrupted_run(slurm, toy_dir):
    # what a CPU partition gives: no gres, 1 CPU per task on a 2-CPU node
    # (tools/slurm_resources.sh), and 2 ranks that train over gloo
    log = _script(
        'slurm_train.sh',
        ['cpu', 'toy', TOY_CFG, 'work_dirs/slurm', '--cfg-options', *OPTS],
        toy_dir,
        slurm,
    )
    assert 'Distributed training: True' in log and 'Distributed launcher: slurm' in log
    full = toy_dir / 'work_dirs' / 'slurm'
    assert (full / 'iter_4.pth').is_file() and (full / 'iter_8.pth').is_file()
    test_log = _script(
        'slurm_test.sh',
        ['cpu', 'toy_test', TOY_CFG, str(full / 'iter_8.pth'), '--cfg-options', *OPTS],
        toy_dir,
        slurm,
    )
    assert 'Test results' in test_log
    assert _macro_f1(test_log) == _macro_f1(log)  # the run's own validation

    # the same run as a batch job; at iteration 6 Slurm signals the batch
    # script as `#SBATCH --signal=B:USR1@N` does before a time limit
    cfg = toy_dir / 'time_limit_cfg.py'
    cfg.write_text(
        f'_base_ = [{TOY_CFG!r}]\n'
        "custom_imports = dict(imports=['requeue_hook'], allow_failed_imports=False)\n"
        "custom_hooks = [dict(type='TimeLimitAtIterHook', at_iter=6)]\n"
    )
    work = toy_dir / 'work_dirs' / 'slurm_batch'
    work.mkdir(parents=True)
    out = work / 'slurm.out'
    env = dict(
        slurm,
        PYTHONPATH=str(ROOT / 'tests' / 'data' / 'plugins'),
        MASTER_PORT=str(free_port()),
    )
    submit = subprocess.run(
        [
            'sbatch',
            '--parsable',
            '--ntasks=2',
            f'--output={out}',
            str(ROOT / 'tools' / 'slurm_batch.sh'),
            str(cfg),
            str(work),
            '--cfg-options',
            *OPTS,
        ],
        cwd=toy_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert submit.returncode == 0, submit.stderr
    job = submit.stdout.strip().split(';')[0]
    _wait_for_job(job, env, out)
    text = out.read_text()
    assert 'SIGUSR1: asking the run to save and stop' in text, text[-4000:]
    assert 'SIGUSR1 received: saved' in text and 'after iteration 6' in text
    assert 'the run exited with 75' in text and f'requeueing job {job}' in text
    assert '(restart 1)' in text and 'resuming from it (--resume)' in text
    assert text.rstrip().endswith('the run exited with 0'), text[-4000:]
    assert max_weight_diff(weights(full / 'iter_8.pth'), weights(work / 'iter_8.pth')) == 0.0
