"""tools/slurm_{train,test}.sh hand srun what OpenMMLab's scripts hand it
(a fake `srun` on the PATH records its arguments; a fake `sinfo` describes
the partition: its generic resources and CPUs per node)."""

import os
import subprocess

import pytest

from tests.conftest import ROOT

FAKE_SRUN = '''#!/usr/bin/env bash
for arg in "$@"; do printf '%s\\n' "$arg"; done > "$SRUN_LOG"
printf '%s\\n' "$PYTHONPATH" > "$SRUN_LOG.env"
'''

# sinfo -h -p PART -o %G (gres) or %c (CPUs per node)
FAKE_SINFO = '''#!/usr/bin/env bash
case "$*" in
    *%G*) printf '%s\\n' "${FAKE_GRES:-gpu:8}" ;;
    *%c*) printf '%s\\n' ${FAKE_CPUS:-64} ;;
esac
'''


@pytest.fixture
def fake_srun(tmp_path):
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    srun = bin_dir / 'srun'
    srun.write_text(FAKE_SRUN)
    srun.chmod(0o755)
    sinfo = bin_dir / 'sinfo'
    sinfo.write_text(FAKE_SINFO)
    sinfo.chmod(0o755)
    log = tmp_path / 'srun.log'

    def run(script, *args, **env):
        full_env = dict(
            os.environ, PATH=f'{bin_dir}:{os.environ["PATH"]}', SRUN_LOG=str(log), **env
        )
        for key in ('GPUS', 'GPUS_PER_NODE', 'CPUS_PER_TASK', 'SRUN_ARGS', 'GRES'):
            if key not in env:
                full_env.pop(key, None)
        proc = subprocess.run(
            ['bash', str(ROOT / 'tools' / script), *args],
            env=full_env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        argv = log.read_text().splitlines() if proc.returncode == 0 else None
        return proc, argv

    return run


def test_slurm_train_passes_partition_tasks_and_train_args(fake_srun):
    proc, argv = fake_srun(
        'slurm_train.sh',
        'gpu',
        'hoi_large',
        'configs/hoi/x.py',
        'work_dirs/x',
        '--strategy',
        'fsdp',
        '--cfg-options',
        'a=1 b',
        GPUS='16',
        GPUS_PER_NODE='8',
        CPUS_PER_TASK='6',
        SRUN_ARGS='--quotatype=auto --time=1:00:00',
    )
    assert proc.returncode == 0, proc.stderr
    assert argv[:2] == ['-p', 'gpu']
    for flag in (
        '--job-name=hoi_large',
        '--gres=gpu:8',
        '--ntasks=16',
        '--ntasks-per-node=8',
        '--cpus-per-task=6',
        '--kill-on-bad-exit=1',
        '--quotatype=auto',
        '--time=1:00:00',
    ):
        assert flag in argv, flag
    python = argv.index('-u') - 1
    assert argv[python + 2].endswith('tools/train.py')
    assert argv[python + 3 :] == [
        'configs/hoi/x.py',
        '--work-dir=work_dirs/x',
        '--launcher=slurm',
        '--strategy',
        'fsdp',
        '--cfg-options',
        'a=1 b',
    ]  # one argument kept whole


def test_slurm_defaults_and_test_script(fake_srun):
    proc, argv = fake_srun(
        'slurm_test.sh', 'gpu', 'eval', 'cfg.py', 'epoch_3.pth', '--out', 'preds.pkl', GPUS='4'
    )
    assert proc.returncode == 0, proc.stderr
    # a 4-GPU job on one node: 4 tasks per node, 5 CPUs each
    for flag in ('--ntasks=4', '--ntasks-per-node=4', '--gres=gpu:4', '--cpus-per-task=5'):
        assert flag in argv, flag
    python = argv.index('-u') - 1
    assert argv[python + 2].endswith('tools/test.py')
    assert argv[python + 3 :] == ['cfg.py', 'epoch_3.pth', '--launcher=slurm', '--out', 'preds.pkl']


@pytest.mark.parametrize('script', ['slurm_train.sh', 'slurm_test.sh'])
def test_slurm_scripts_refuse_missing_arguments(fake_srun, script):
    proc, _ = fake_srun(script, 'gpu', 'job')
    assert proc.returncode == 2
    assert 'usage:' in proc.stderr and 'PARTITION JOB_NAME CONFIG' in proc.stderr


def test_cpu_partition_gets_no_gres_and_cpus_that_fit_the_node(fake_srun):
    # sinfo: no generic resources, 2 CPUs per node: 2 tasks of 1 CPU
    proc, argv = fake_srun(
        'slurm_train.sh', 'cpu', 'toy', 'cfg.py', 'w', GPUS='2', FAKE_GRES='(null)', FAKE_CPUS='2'
    )
    assert proc.returncode == 0, proc.stderr
    assert not [a for a in argv if a.startswith('--gres')]
    assert '--cpus-per-task=1' in argv and '--ntasks=2' in argv
    # nodes of different sizes: the smallest decides; CPUS_PER_TASK wins
    _, argv = fake_srun('slurm_test.sh', 'cpu', 't', 'c.py', 'x.pth', GPUS='4', FAKE_CPUS='64 12+')
    assert '--cpus-per-task=3' in argv
    _, argv = fake_srun('slurm_test.sh', 'cpu', 't', 'c.py', 'x.pth', GPUS='4', CPUS_PER_TASK='9')
    assert '--cpus-per-task=9' in argv
    # GRES set by hand: passed as is; empty: never
    _, argv = fake_srun('slurm_train.sh', 'cpu', 'j', 'c.py', 'w', GPUS='2', GRES='gpu:a100:2')
    assert '--gres=gpu:a100:2' in argv
    _, argv = fake_srun('slurm_train.sh', 'gpu', 'j', 'c.py', 'w', GPUS='2', GRES='')
    assert not [a for a in argv if a.startswith('--gres')]


def test_slurm_train_resumes_when_the_work_dir_holds_a_checkpoint(fake_srun, tmp_path):
    work = tmp_path / 'work'
    proc, argv = fake_srun('slurm_train.sh', 'gpu', 'j', 'c.py', str(work), '--amp', GPUS='2')
    assert '--resume' not in argv  # a new work dir: a new run
    work.mkdir()
    (work / 'iter_7.pth').write_bytes(b'')  # e.g. saved by a preempted run
    proc, argv = fake_srun('slurm_train.sh', 'gpu', 'j', 'c.py', str(work), '--amp', GPUS='2')
    assert argv[-2:] == ['--amp', '--resume']
    assert 'resuming' in proc.stderr
    # an explicit --resume (with a checkpoint) is kept as given
    _, argv = fake_srun(
        'slurm_train.sh', 'gpu', 'j', 'c.py', str(work), '--resume', 'a.pth', GPUS='2'
    )
    assert argv[-2:] == ['--resume', 'a.pth'] and argv.count('--resume') == 1


# a run that saves and exits 75 (PreemptionHook) when it gets SIGUSR1 or SIGTERM
PREEMPTIBLE_SRUN = '''#!/usr/bin/env bash
trap 'echo "$1" > "$SRUN_LOG.signal"; exit 75' USR1 TERM
touch "$SRUN_LOG.started"
for _ in $(seq 600); do sleep 0.05; done
'''
FAKE_SCONTROL = '''#!/usr/bin/env bash
case "$1" in
    requeue) printf '%s\\n' "$*" >> "$SCONTROL_LOG" ;;
esac
'''


@pytest.mark.parametrize('signum, requeued', [('USR1', True), ('TERM', False)])
def test_slurm_batch_forwards_the_signal_and_requeues_on_exit_75(
    fake_srun, tmp_path, signum, requeued
):
    """tools/slurm_batch.sh (``#SBATCH --signal=B:USR1@120``): the time-limit
    signal reaches the run, which saves and exits 75, and the job requeues
    itself; a SIGTERM (scancel) is forwarded but not requeued."""
    import signal
    import time

    bin_dir = tmp_path / 'bin'
    (bin_dir / 'srun').write_text(PREEMPTIBLE_SRUN)
    (bin_dir / 'scontrol').write_text(FAKE_SCONTROL)
    (bin_dir / 'scontrol').chmod(0o755)
    log, requeue_log = tmp_path / 'srun.log', tmp_path / 'scontrol.log'
    env = dict(
        os.environ,
        PATH=f'{bin_dir}:{os.environ["PATH"]}',
        SRUN_LOG=str(log),
        SCONTROL_LOG=str(requeue_log),
        VLT_ROOT=str(ROOT),
        SLURM_JOB_ID='4242',
        SLURM_NTASKS='1',
        GRES='',
    )
    proc = subprocess.Popen(
        ['bash', str(ROOT / 'tools' / 'slurm_batch.sh'), 'c.py', str(tmp_path / 'work')],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.time() + 20
        while not (tmp_path / 'srun.log.started').exists() and time.time() < deadline:
            time.sleep(0.05)
        proc.send_signal(getattr(signal, f'SIG{signum}'))
        out, _ = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 75, out
    assert f'SIG{signum}: asking the run to save and stop' in out
    if requeued:
        assert requeue_log.read_text().split() == ['requeue', '4242']
        assert 'requeueing job 4242' in out
    else:
        assert not requeue_log.exists()
