"""env_cfg.dist_cfg.timeout: a default, checked, and what init_process_group gets."""

import datetime
import os
import time

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from mmengine.config import Config

from tests.conftest import free_port
from vltoolkit.compat.cpu_distributed import init_dist_if_needed
from vltoolkit.engine.runner.pre_run import DEFAULT_DIST_TIMEOUT_S, set_dist_timeout


def _init_kwargs(monkeypatch, cfg):
    seen = {}
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    monkeypatch.setattr(dist, 'is_initialized', lambda: False)
    monkeypatch.setattr(dist, 'init_process_group', lambda **kw: seen.update(kw))
    set_dist_timeout(cfg)
    init_dist_if_needed(cfg, 'pytorch')
    return seen


def test_default_timeout_reaches_init_process_group(monkeypatch):
    seen = _init_kwargs(monkeypatch, Config(dict()))
    assert DEFAULT_DIST_TIMEOUT_S == 900
    assert seen == dict(backend='gloo', timeout=datetime.timedelta(seconds=900))


def test_configured_timeout_reaches_init_process_group(monkeypatch):
    cfg = Config(dict(env_cfg=dict(dist_cfg=dict(backend='nccl', timeout=42))))
    seen = _init_kwargs(monkeypatch, cfg)
    assert seen == dict(backend='gloo', timeout=datetime.timedelta(seconds=42))


@pytest.mark.parametrize('bad', ['30min', 0, -5, True])
def test_a_timeout_that_is_not_seconds_names_the_key(bad):
    cfg = Config(dict(env_cfg=dict(dist_cfg=dict(timeout=bad))))
    with pytest.raises(ValueError, match=r'env_cfg\.dist_cfg\.timeout=.*seconds'):
        set_dist_timeout(cfg)


def _rank(rank, port, out):
    os.environ.update(
        MASTER_ADDR='127.0.0.1',
        MASTER_PORT=str(port),
        RANK=str(rank),
        WORLD_SIZE='2',
        LOCAL_RANK=str(rank),
    )
    cfg = Config(dict(env_cfg=dict(dist_cfg=dict(backend='gloo', timeout=2))))
    set_dist_timeout(cfg)
    init_dist_if_needed(cfg, 'pytorch')
    if rank == 1:
        time.sleep(8)  # a rank that stopped responding
        return
    try:
        dist.all_reduce(torch.ones(1))
        result = 'no timeout'
    except RuntimeError as err:
        result = str(err)
    with open(out, 'w') as f:
        f.write(result)
    os._exit(0)  # leave without the gloo teardown waiting for rank 1


@pytest.mark.slow
def test_a_stalled_rank_makes_the_others_fail_after_the_timeout(tmp_path):
    out = tmp_path / 'rank0.txt'
    mp.start_processes(
        _rank, args=(free_port(), str(out)), nprocs=2, join=True, start_method='spawn'
    )
    assert 'timed out' in out.read_text().lower() or 'timeout' in out.read_text().lower()
