"""tools/slurm_{train,test}.sh hand srun what OpenMMLab's scripts hand it
(a fake `srun` on the PATH records its arguments)."""

import os
import subprocess

import pytest

from tests.conftest import ROOT

FAKE_SRUN = '''#!/usr/bin/env bash
for arg in "$@"; do printf '%s\\n' "$arg"; done > "$SRUN_LOG"
printf '%s\\n' "$PYTHONPATH" > "$SRUN_LOG.env"
'''


@pytest.fixture
def fake_srun(tmp_path):
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    srun = bin_dir / 'srun'
    srun.write_text(FAKE_SRUN)
    srun.chmod(0o755)
    log = tmp_path / 'srun.log'

    def run(script, *args, **env):
        full_env = dict(
            os.environ, PATH=f'{bin_dir}:{os.environ["PATH"]}', SRUN_LOG=str(log), **env
        )
        for key in ('GPUS', 'GPUS_PER_NODE', 'CPUS_PER_TASK', 'SRUN_ARGS'):
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
