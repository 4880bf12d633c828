"""A tiny toy HOI set with its tokenizer, and a toy checkpoint trained on it,
each made once per test session (shared by the pytest-xdist workers), in a
temp working dir.

The toy recipe reads ``data/toy_hoi`` relative to the working directory, so
the tools run with ``cwd`` set to this folder; each test writes its own
``work_dirs/<name>``.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, free_port, run_once

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
        env['PORT'] = str(free_port())
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
    def make():
        from vltoolkit.datasets.toy import make_toy_hoi

        cwd = tmp_path_factory.mktemp('toy')
        make_toy_hoi(str(cwd / 'data' / 'toy_hoi'), num_train=40, num_test=12, seed=1)
        run_tool(['data/build_tokenizer.py', TOY_CFG], cwd)
        return str(cwd)

    return Path(run_once(tmp_path_factory, 'toy_workdir', make))


@pytest.fixture(scope='session')
def trained_toy(toy_workdir, tmp_path_factory):
    """``(workdir, checkpoint, preds.pkl, test.py stdout)`` of the toy HOI
    recipe, made once per test session (shared by the xdist workers)."""

    def make():
        run_tool(
            [
                'train.py',
                TOY_CFG,
                '--work-dir',
                'work_dirs/infer_toy',
                '--cfg-options',
                *SMALL,
                'train_cfg.max_epochs=4',
                'train_cfg.val_interval=4',
            ],
            toy_workdir,
        )
        ckpt = toy_workdir / 'work_dirs' / 'infer_toy' / 'epoch_4.pth'
        preds = toy_workdir / 'infer_preds.pkl'
        test = run_tool(
            [
                'test.py',
                TOY_CFG,
                str(ckpt),
                '--work-dir',
                'work_dirs/infer_toy_test',
                '--out',
                str(preds),
                '--cfg-options',
                *SMALL,
            ],
            toy_workdir,
        )
        return [str(ckpt), str(preds), test.stdout + test.stderr]

    ckpt, preds, log = run_once(tmp_path_factory, 'trained_toy', make)
    return toy_workdir, Path(ckpt), Path(preds), log
