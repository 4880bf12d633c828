"""Sharded / data-parallel training through mmengine's FlexibleRunner.

A recipe picks a strategy with one ``_base_`` line
(``'../_base_/strategies/fsdp.py'``) or ``tools/train.py --strategy fsdp``;
:func:`prepare_strategy_cfg` (called by ``build_runner``) then fits the rest
of the recipe to it, so the same recipe trains under every strategy:

* DDP on CPU: ``device_ids=None`` (DDP refuses device ids for CPU modules);
  a recipe's ``model_wrapper_cfg`` (e.g. ``find_unused_parameters=True``)
  becomes the strategy's ``model_wrapper``.
* FSDP: the optimizer wrapper becomes its ``Sharded*`` twin, which clips by
  the global gradient norm over all shards; on CPU, FSDP runs over gloo with
  ``device_id='cpu'`` (without it FSDP refuses: "needs a non-CPU
  accelerator device").
* DeepSpeed: needs the optional ``deepspeed`` package (a clear error when
  absent); ``clip_grad``, ``accumulative_counts`` and the batch size move
  into the DeepSpeed config, which owns them.
"""

import importlib.util
import os.path as osp
from pathlib import Path

import torch
from mmengine.config import Config

from vltoolkit.utils.paths import configs_root

SHARDED_WRAPPERS = {
    'OptimWrapper': 'ShardedOptimWrapper',
    'AmpOptimWrapper': 'ShardedAmpOptimWrapper',
    'AutocastOptimWrapper': 'ShardedAutocastOptimWrapper',
}


def strategy_dir() -> Path:
    """``configs/_base_/strategies`` of the checkout or of the installed package."""
    return configs_root() / '_base_' / 'strategies'


def available_strategies() -> list[str]:
    """The names ``--strategy`` accepts (files of ``configs/_base_/strategies``)."""
    return sorted(p.stem for p in strategy_dir().glob('*.py'))


def apply_strategy(cfg: Config, strategy: str) -> Config:
    """Put the strategy fragment ``strategy`` (a name such as ``'fsdp'`` or a
    path to a fragment) into ``cfg``: its ``runner_type`` and ``strategy``
    replace the recipe's, its ``optim_wrapper`` keys are merged in."""
    path = strategy if osp.isfile(strategy) else str(strategy_dir() / f'{strategy}.py')
    if not osp.isfile(path):
        raise ValueError(
            f'--strategy {strategy!r}: no such strategy; use one of '
            f'{available_strategies()} or a path to a fragment '
            'that sets runner_type and strategy'
        )
    fragment = Config.fromfile(path)
    cfg.runner_type = fragment.get('runner_type', 'FlexibleRunner')
    cfg.strategy = fragment.strategy.to_dict()
    if 'optim_wrapper' in fragment:
        cfg.merge_from_dict(dict(optim_wrapper=fragment.optim_wrapper.to_dict()))
    return cfg


def _wrapper_type(optim_wrapper) -> str:
    return optim_wrapper.get('type', 'OptimWrapper')


def _prepare_ddp(cfg, strategy) -> None:
    wrapper = dict(
        strategy.get('model_wrapper')
        or cfg.get('model_wrapper_cfg')
        or dict(type='MMDistributedDataParallel', broadcast_buffers=False)
    )
    if cfg.get('model_wrapper_cfg'):  # a recipe's DDP options carry over
        for key, value in cfg.model_wrapper_cfg.items():
            wrapper.setdefault(key, value)
    if not torch.cuda.is_available():
        wrapper['device_ids'] = None
    strategy['model_wrapper'] = wrapper


def _prepare_fsdp(cfg, strategy) -> None:
    wrapper = dict(
        strategy.get('model_wrapper')
        or dict(type='MMFullyShardedDataParallel', use_orig_params=True)
    )
    if not torch.cuda.is_available():
        wrapper['device_id'] = 'cpu'
    strategy['model_wrapper'] = wrapper
    optim_wrapper = cfg.optim_wrapper
    sharded = SHARDED_WRAPPERS.get(_wrapper_type(optim_wrapper))
    if sharded is None and 'Sharded' not in _wrapper_type(optim_wrapper):
        raise ValueError(
            f'optim_wrapper type {_wrapper_type(optim_wrapper)!r} has no sharded '
            f'twin for FSDP; use one of {sorted(SHARDED_WRAPPERS)}'
        )
    if sharded is not None:
        optim_wrapper['type'] = sharded
    if sharded == 'ShardedAmpOptimWrapper':
        optim_wrapper.setdefault('use_fsdp', True)  # ShardedGradScaler for fp16


def _prepare_deepspeed(cfg, strategy) -> None:
    if importlib.util.find_spec('deepspeed') is None:
        raise ImportError(
            'strategy DeepSpeedStrategy needs the optional `deepspeed` package: '
            '`DS_BUILD_OPS=0 pip install --no-build-isolation deepspeed` (docs/scale.md), '
            'or train with --strategy fsdp, which needs nothing extra.'
        )
    from vltoolkit.compat.deepspeed_onebit import patch_mmengine_deepspeed

    patch_mmengine_deepspeed()
    optim_wrapper = cfg.optim_wrapper
    if _wrapper_type(optim_wrapper) != 'DeepSpeedOptimWrapper':
        raise ValueError(
            "DeepSpeedStrategy needs optim_wrapper type='DeepSpeedOptimWrapper' "
            f"(got {_wrapper_type(optim_wrapper)!r}); for mixed precision set "
            "strategy.bf16=dict(enabled=True) instead of --amp"
        )
    clip = optim_wrapper.pop('clip_grad', None)
    if clip:
        strategy.setdefault('gradient_clipping', clip.get('max_norm'))
    accumulation = optim_wrapper.pop('accumulative_counts', None)
    strategy.setdefault('gradient_accumulation_steps', accumulation or 1)
    strategy.setdefault('train_micro_batch_size_per_gpu', cfg.train_dataloader.get('batch_size'))
    if strategy.get('bf16', {}).get('enabled') or strategy.get('fp16', {}).get('enabled'):
        strategy.setdefault('inputs_to_half', ['inputs'])


def prepare_strategy_cfg(cfg: Config) -> Config:
    """Fit ``cfg`` to its ``strategy`` (see the module docstring); a config
    without ``runner_type='FlexibleRunner'`` is returned unchanged."""
    if cfg.get('runner_type') != 'FlexibleRunner':
        return cfg
    strategy = cfg.get('strategy')
    if not strategy or 'type' not in strategy:
        raise ValueError(
            "runner_type='FlexibleRunner' needs a `strategy` dict, e.g. "
            "_base_ += ['../_base_/strategies/fsdp.py']"
        )
    strategy = dict(strategy)
    kind = strategy['type']
    if kind == 'DDPStrategy':
        _prepare_ddp(cfg, strategy)
    elif kind == 'FSDPStrategy':
        _prepare_fsdp(cfg, strategy)
    elif kind == 'DeepSpeedStrategy':
        _prepare_deepspeed(cfg, strategy)
    cfg.strategy = strategy
    cfg.pop('model_wrapper_cfg', None)  # FlexibleRunner takes it in the strategy
    return cfg
