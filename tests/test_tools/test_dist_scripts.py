"""tools/dist_train.sh and dist_test.sh hand torchrun every argument whole
(a fake python records what it is given)."""

import os
import subprocess

import pytest

from tests.conftest import ROOT

FAKE_PYTHON = '''#!/usr/bin/env bash
for arg in "$@"; do printf '%s\\n' "$arg"; done > "$ARGS_LOG"
'''


@pytest.fixture
def fake_python(tmp_path):
    python = tmp_path / 'python'
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    log = tmp_path / 'args.log'

    def run(script, *args, **env):
        full_env = dict(os.environ, PYTHON=str(python), ARGS_LOG=str(log), **env)
        proc = subprocess.run(
            ['bash', str(ROOT / 'tools' / script), *args],
            env=full_env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stderr
        return log.read_text().splitlines()

    return run


def test_dist_train_keeps_arguments_with_spaces_and_passes_the_node_variables(fake_python):
    argv = fake_python(
        'dist_train.sh',
        'my configs/x.py',
        '2',
        '--work-dir',
        'work dirs/x',
        '--cfg-options',
        'a=1 b',
        'c=*',
        NNODES='2',
        NODE_RANK='1',
        MASTER_ADDR='10.1.0.5',
        PORT='29611',
    )
    assert argv[:2] == ['-m', 'torch.distributed.run']
    for flag in ('--nnodes=2', '--node_rank=1', '--master_addr=10.1.0.5', '--nproc_per_node=2'):
        assert flag in argv, flag
    assert '--master_port=29611' in argv
    train = [i for i, a in enumerate(argv) if a.endswith('tools/train.py')][0]
    assert argv[train + 1 :] == [
        'my configs/x.py',
        '--launcher',
        'pytorch',
        '--work-dir',
        'work dirs/x',
        '--cfg-options',
        'a=1 b',
        'c=*',  # not a glob
    ]


def test_dist_test_keeps_arguments_whole(fake_python):
    argv = fake_python('dist_test.sh', 'c.py', 'w dir/epoch 1.pth', '2', '--out', 'my preds.pkl')
    test = [i for i, a in enumerate(argv) if a.endswith('tools/test.py')][0]
    assert argv[test + 1 :] == [
        'c.py',
        'w dir/epoch 1.pth',
        '--launcher',
        'pytorch',
        '--out',
        'my preds.pkl',
    ]
