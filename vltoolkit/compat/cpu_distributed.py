"""Distributed set-up on CPU-only machines (gloo under torchrun).

Two traps of mmengine 0.10.7 that assume CUDA:

* ``mmengine.dist.init_dist('pytorch')`` calls ``torch.cuda.set_device``
  unconditionally, so ``tools/dist_train.sh`` fails on a machine without a
  GPU. :func:`init_dist_if_needed` creates the gloo process group first
  (the Runner only calls ``init_dist`` when no group exists).
* The Runner wraps the model in ``MMDistributedDataParallel`` with
  ``device_ids=[local_rank]``; DDP refuses ``device_ids`` for a CPU module.
  :func:`cpu_ddp_wrapper_cfg` sets ``device_ids=None``.

Delete when: mmengine's ``init_dist`` / ``wrap_model`` check for CUDA (not
as of 0.10.7; upstream ``mmengine/dist/utils.py`` ``_init_dist_pytorch``).
"""

import datetime

import torch
import torch.distributed as dist

__all__ = ['init_dist_if_needed', 'cpu_ddp_wrapper_cfg']


def init_dist_if_needed(cfg, launcher: str) -> None:
    """Create the process group before the Runner when running on CPU.

    mmengine 0.10.7's ``init_dist('pytorch')`` calls
    ``torch.cuda.set_device`` unconditionally, which fails without a GPU.
    The Runner only calls it when no group exists, so on a CPU-only machine
    we create the group ourselves with gloo (``nccl`` in the config is
    replaced by ``gloo``). On GPU machines mmengine does its usual set-up.
    """
    if launcher != 'pytorch' or torch.cuda.is_available() or dist.is_initialized():
        return
    dist_cfg = dict(cfg.get('env_cfg', {}).get('dist_cfg', {}))
    backend = dist_cfg.pop('backend', 'gloo')
    if backend == 'nccl':
        backend = 'gloo'
    timeout = dist_cfg.pop('timeout', None)
    if timeout is not None:
        dist_cfg['timeout'] = datetime.timedelta(seconds=timeout)
    dist.init_process_group(backend=backend, **dist_cfg)


def cpu_ddp_wrapper_cfg(cfg) -> None:
    """On CPU, DDP needs ``device_ids=None`` (mmengine passes the local rank,
    which DDP rejects for CPU modules); set it unless the config did."""
    if torch.cuda.is_available():
        return
    wrapper = dict(cfg.get('model_wrapper_cfg') or dict(type='MMDistributedDataParallel'))
    wrapper.setdefault('device_ids', None)
    cfg.model_wrapper_cfg = wrapper
