"""Merge a checkpoint's LoRA adapters into the base weights.

``python tools/model_converters/merge_lora.py CONFIG CKPT OUT [--adapters NAME ...]``

Builds the model of ``CONFIG`` (with its ``model.lora``), loads ``CKPT``
(safely, weights only), folds the chosen adapters into the base weights
(``W <- W + alpha / r * B A``; default: the adapters the model predicts with,
``eval_adapters`` for MCN, the only one otherwise) and saves a checkpoint
``OUT`` whose ``state_dict`` has the keys of the model *without* LoRA. With
``--out-config`` it also writes the config without ``model.lora`` (and
without the stages' ``adapters``) that loads
it, e.g. ``python tools/test.py OUT_CONFIG OUT``; or test with the original
config and ``--cfg-options model.lora=None``.
"""

import argparse
import copy
import os
import os.path as osp

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from vltoolkit.engine.runner import prepare_config
from vltoolkit.utils.cli import CfgOptionsAction
from vltoolkit.utils.config_refs import merge_overrides


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='the training config (with model.lora)')
    parser.add_argument('checkpoint', help='a checkpoint of that config')
    parser.add_argument('out', help='where to save the merged checkpoint (.pth)')
    parser.add_argument(
        '--adapters', nargs='+', help='adapters to merge (default: those active at predict)'
    )
    parser.add_argument('--out-config', help='also write the config without lora here')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=CfgOptionsAction,
        metavar='KEY=VALUE',
        help='override config keys',
    )
    return parser.parse_args(argv)


def merge_checkpoint(cfg: Config, checkpoint: str, adapters=None):
    """``(merged_state_dict, merged_adapters, merged_module_names)``."""
    from vltoolkit.apis.checkpoint import load_recipe_checkpoint
    from vltoolkit.models.adapters import merge_lora, set_active_adapters
    from vltoolkit.registry import MODELS

    if not cfg.model.get('lora'):
        raise ValueError(f'{cfg.filename}: model.lora is not set, there is nothing to merge')
    init_default_scope(cfg.get('default_scope', 'vltoolkit'))
    model = MODELS.build(cfg.model)
    load_recipe_checkpoint(model, checkpoint, cfg.filename)  # strict, names the keys
    if adapters is None:
        adapters = getattr(model, 'eval_adapters', None) or getattr(model, 'adapter_names', None)
    if adapters:
        canonical = getattr(model, '_canonical_adapter', lambda a: a)
        adapters = [canonical(a) for a in adapters]
        set_active_adapters(model, adapters, trainable=False)
    merged = merge_lora(model, adapters)
    return model.state_dict(), list(adapters or []), merged


def main(argv=None):
    args = parse_args(argv)
    cfg = merge_overrides(Config.fromfile(args.config), args.cfg_options)
    # build from a prepared copy; --out-config keeps the ${...} keys of the recipe
    filled = prepare_config(copy.deepcopy(cfg))
    state, adapters, merged = merge_checkpoint(filled, args.checkpoint, args.adapters)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    torch.save(
        dict(
            state_dict=state,
            meta=dict(
                merged_lora_adapters=adapters,
                merged_modules=merged,
                source_checkpoint=osp.abspath(args.checkpoint),
            ),
        ),
        args.out,
    )
    print(f'merged adapters {adapters} into {len(merged)} modules -> {args.out}')
    if args.out_config:
        cfg.model.pop('lora', None)
        cfg.model.pop('eval_adapters', None)
        # stages may still switch modalities, but there are no adapters now
        for hook in cfg.get('custom_hooks', []):
            for stage in (
                hook.get('stages', []) if hook.get('type') == 'ModalityScheduleHook' else []
            ):
                stage.pop('adapters', None)
        cfg.dump(args.out_config)
        print(f'config without lora -> {args.out_config}')
    return args.out


if __name__ == '__main__':
    main()
