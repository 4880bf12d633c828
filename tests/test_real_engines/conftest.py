"""Shared set-up of the real-engine tests: the toy HOI set in a temp working
dir, free ports, checkpoint weights."""

import socket

import pytest

from tests.test_tools.conftest import TOY_CFG, run_tool
from vltoolkit.compat import safe_torch_load

__all__ = ['TOY_CFG', 'DIST_OPTS', 'run_tool', 'free_port', 'weights', 'max_weight_diff']


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def weights(path) -> dict:
    return safe_torch_load(str(path), map_location='cpu')['state_dict']


def max_weight_diff(a: dict, b: dict) -> float:
    assert a.keys() == b.keys()
    return max((a[k].float() - b[k].float()).abs().max().item() for k in a)


@pytest.fixture(scope='session')
def toy_dir(tmp_path_factory):
    """The toy HOI set (32 training pairs used) and its tokenizer."""
    from vltoolkit.datasets.toy import make_toy_hoi

    cwd = tmp_path_factory.mktemp('real_engine_toy')
    make_toy_hoi(str(cwd / 'data' / 'toy_hoi'), num_train=40, num_test=12, seed=1)
    run_tool(['data/build_tokenizer.py', TOY_CFG], cwd)
    return cwd


#: 16 pairs, 2 ranks x 4: 2 iterations an epoch, 4 steps; a checkpoint an
#: epoch, validation at the end
DIST_OPTS = [
    'train_cfg.max_epochs=2',
    'train_cfg.val_interval=2',
    'train_dataloader.batch_size=4',
    'train_dataloader.dataset.indices=16',
    'val_dataloader.batch_size=4',
    'test_dataloader.batch_size=4',
    'default_hooks.logger.interval=2',
    'default_hooks.checkpoint.interval=1',
]


@pytest.fixture(scope='session')
def ddp_reference(toy_dir):
    """One node, two processes (DDP over gloo): the weights the other
    engines are compared with."""
    work = toy_dir / 'work_dirs' / 'ddp_reference'
    run_tool(
        ['dist_train.sh', TOY_CFG, '2', '--work-dir', str(work), '--cfg-options', *DIST_OPTS],
        toy_dir,
        nproc=2,
    )
    return work / 'epoch_2.pth'
