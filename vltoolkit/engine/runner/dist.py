"""Distributed set-up and tear-down that work on CPU-only machines."""
import datetime
import logging
import os
import sys

import torch
import torch.distributed as dist


def init_dist_if_needed(cfg, launcher: str) -> None:
    """Create the process group before the Runner when running on CPU.

    mmengine 0.10.7's ``init_dist('pytorch')`` calls
    ``torch.cuda.set_device`` unconditionally, which fails without a GPU.
    The Runner only calls it when no group exists, so on a CPU-only machine
    we create the group ourselves with gloo (``nccl`` in the config is
    replaced by ``gloo``). On GPU machines mmengine does its usual set-up.
    """
    if launcher != 'pytorch' or torch.cuda.is_available() or \
            dist.is_initialized():
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
    wrapper = dict(cfg.get('model_wrapper_cfg') or
                   dict(type='MMDistributedDataParallel'))
    wrapper.setdefault('device_ids', None)
    cfg.model_wrapper_cfg = wrapper


def finish_distributed(exit_code: int = 0) -> None:
    """Leave a distributed run with ``exit_code`` every time.

    gloo's threads can abort the interpreter at exit ("terminate called
    without an active exception") after all work is done, turning a good
    run into a non-zero exit. So: barrier, destroy the process group, flush
    logs and streams, then ``os._exit``. Does nothing outside torchrun.
    """
    if not (dist.is_available() and dist.is_initialized()):
        return
    try:
        dist.barrier()
    finally:
        dist.destroy_process_group()
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(exit_code)
