"""Distributed set-up on CPU-only machines (gloo under torchrun or Slurm).

Two traps of mmengine 0.10.7 that assume CUDA:

* ``mmengine.dist.init_dist('pytorch')`` and ``init_dist('slurm')`` call
  ``torch.cuda.set_device`` unconditionally, so ``tools/dist_train.sh`` and
  ``tools/slurm_train.sh`` fail on a machine without a GPU ("Found no NVIDIA
  driver"). :func:`init_dist_if_needed` creates the gloo process group first
  (the Runner only calls ``init_dist`` when no group exists); under Slurm it
  first sets the variables mmengine's Slurm set-up would
  (:func:`slurm_env`).
* The Runner wraps the model in ``MMDistributedDataParallel`` with
  ``device_ids=[local_rank]``; DDP refuses ``device_ids`` for a CPU module.
  :func:`cpu_ddp_wrapper_cfg` sets ``device_ids=None``.

Delete when: mmengine's ``init_dist`` / ``wrap_model`` check for CUDA (not
as of 0.10.7; upstream ``mmengine/dist/utils.py`` ``_init_dist_pytorch``).
"""

import datetime
import os
import subprocess

import torch
import torch.distributed as dist

__all__ = ['init_dist_if_needed', 'cpu_ddp_wrapper_cfg', 'slurm_env']


def slurm_env(port=None) -> None:
    """Set torch's ``env://`` variables from those srun gives each task, as
    mmengine's ``_init_dist_slurm`` does (less its ``torch.cuda.set_device``):
    ``RANK`` = ``SLURM_PROCID``, ``WORLD_SIZE`` = ``SLURM_NTASKS``,
    ``LOCAL_RANK`` = ``SLURM_LOCALID``, ``MASTER_ADDR`` = the first host of
    ``scontrol show hostname $SLURM_NODELIST`` (unless set), ``MASTER_PORT``
    = ``port``, else the environment's, else 29500."""
    missing = [k for k in ('SLURM_PROCID', 'SLURM_NTASKS', 'SLURM_NODELIST') if k not in os.environ]
    if missing:
        raise RuntimeError(
            f'--launcher slurm needs the variables srun sets ({", ".join(missing)} missing): '
            'start the run with srun (tools/slurm_train.sh), or use --launcher pytorch '
            'under torchrun (tools/dist_train.sh)'
        )
    os.environ['RANK'] = os.environ['SLURM_PROCID']
    os.environ['WORLD_SIZE'] = os.environ['SLURM_NTASKS']
    os.environ['LOCAL_RANK'] = os.environ.get('SLURM_LOCALID', '0')
    if port is not None:
        os.environ['MASTER_PORT'] = str(port)
    os.environ.setdefault('MASTER_PORT', '29500')
    if 'MASTER_ADDR' not in os.environ:
        nodes = os.environ['SLURM_NODELIST']
        hosts = subprocess.run(
            ['scontrol', 'show', 'hostname', nodes], capture_output=True, text=True, check=True
        ).stdout.split()
        os.environ['MASTER_ADDR'] = hosts[0]


def init_dist_if_needed(cfg, launcher: str) -> None:
    """Create the process group before the Runner when running on CPU.

    mmengine 0.10.7's ``init_dist('pytorch')`` and ``init_dist('slurm')`` call
    ``torch.cuda.set_device`` unconditionally, which fails without a GPU.
    The Runner only calls it when no group exists, so on a CPU-only machine
    we create the group ourselves with gloo (``nccl`` in the config is
    replaced by ``gloo``), after :func:`slurm_env` under ``--launcher slurm``.
    On GPU machines mmengine does its usual set-up.
    """
    if launcher not in ('pytorch', 'slurm'):
        return
    if torch.cuda.is_available() or dist.is_initialized():
        return
    dist_cfg = dict(cfg.get('env_cfg', {}).get('dist_cfg', {}))
    port = dist_cfg.pop('port', None)
    if launcher == 'slurm':
        slurm_env(port)
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
