"""A toy HOI checkpoint (trained a few epochs) and its test-set dump."""

import pytest

from tests.test_tools.conftest import SMALL, TOY_CFG, run_tool, toy_workdir  # noqa: F401


@pytest.fixture(scope='session')
def trained_toy(toy_workdir):  # noqa: F811
    """``(workdir, checkpoint, preds.pkl, test.py stdout)`` of the toy HOI recipe."""
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
    return toy_workdir, ckpt, preds, test.stdout + test.stderr
