"""A tiny toy HOI set and its tokenizer, made once, in a temp working dir.

The toy recipe reads ``data/toy_hoi`` relative to the working directory, so
the tools run with ``cwd`` set to this folder.
"""

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

TOY_CFG = str(ROOT / 'configs' / 'hoi' / 'ce_onehot_toy.py')
SMALL = [
    'train_dataloader.batch_size=8',
    'val_dataloader.batch_size=8',
    'test_dataloader.batch_size=8',
    'default_hooks.logger.interval=5',
]


def run_tool(args, cwd, nproc=None, check=True, timeout=600, extra_env=None):
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONHASHSEED='0', **(extra_env or {}))
    if nproc:
        cmd = ['bash', str(ROOT / 'tools' / args[0]), *args[1:]]
        env['PYTHON'] = sys.executable
        env['PORT'] = str(29500 + os.getpid() % 1000)
    else:
        cmd = [sys.executable, str(ROOT / 'tools' / args[0]), *args[1:]]
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(
            f'{cmd} exited {proc.returncode}\n{proc.stdout[-4000:]}\n{proc.stderr[-6000:]}'
        )
    return proc


@pytest.fixture(scope='session')
def toy_workdir(tmp_path_factory):
    from vltoolkit.datasets.toy import make_toy_hoi

    cwd = tmp_path_factory.mktemp('toy')
    make_toy_hoi(str(cwd / 'data' / 'toy_hoi'), num_train=40, num_test=12, seed=1)
    run_tool(['data/build_tokenizer.py', TOY_CFG], cwd)
    return cwd
