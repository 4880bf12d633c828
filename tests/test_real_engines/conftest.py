"""Shared set-up of the real-engine tests: the toy HOI set in a temp working
dir, free ports, checkpoint weights."""

import socket

import pytest

from tests.test_tools.conftest import TOY_CFG, run_tool
from vltoolkit.compat import safe_torch_load

__all__ = ['TOY_CFG', 'run_tool', 'free_port', 'weights', 'max_weight_diff']


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
