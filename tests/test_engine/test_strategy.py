"""Strategy fragments, --strategy, and the config fitting for FlexibleRunner."""

import importlib.util

import pytest
import torch
from mmengine.config import Config

from tests.conftest import ROOT
from vltoolkit.engine.optim import sharded_clip_grad_norm_
from vltoolkit.engine.runner.strategy import (
    apply_strategy,
    available_strategies,
    prepare_strategy_cfg,
)

STRATEGIES = ROOT / 'configs' / '_base_' / 'strategies'


def _recipe():
    return Config(
        dict(
            optim_wrapper=dict(
                type='OptimWrapper',
                optimizer=dict(type='AdamW', lr=1e-4),
                constructor='TrainableParamsOptimWrapperConstructor',
                clip_grad=dict(max_norm=1.0),
            ),
            train_dataloader=dict(batch_size=16),
            model_wrapper_cfg=dict(type='MMDistributedDataParallel', find_unused_parameters=True),
        )
    )


def test_every_strategy_fragment_parses_and_names_its_runner():
    assert available_strategies() == ['ddp', 'deepspeed_zero2', 'deepspeed_zero3', 'fsdp']
    for name in available_strategies():
        frag = Config.fromfile(str(STRATEGIES / f'{name}.py'))
        assert frag.runner_type == 'FlexibleRunner'
        assert frag.strategy.type in ('DDPStrategy', 'FSDPStrategy', 'DeepSpeedStrategy')
    with pytest.raises(ValueError, match=r"no such strategy; use one of \['ddp'"):
        apply_strategy(_recipe(), 'zero9')


def test_ddp_keeps_the_recipe_wrapper_options(monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    cfg = prepare_strategy_cfg(apply_strategy(_recipe(), 'ddp'))
    wrapper = cfg.strategy['model_wrapper']
    assert wrapper['device_ids'] is None  # CPU
    # the fragment's own value wins, the recipe's other options carry over
    assert wrapper['find_unused_parameters'] is False
    assert 'model_wrapper_cfg' not in cfg and cfg.runner_type == 'FlexibleRunner'


def test_fsdp_gets_global_norm_clipping_and_a_cpu_device(monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    cfg = prepare_strategy_cfg(apply_strategy(_recipe(), 'fsdp'))
    assert cfg.strategy['model_wrapper']['device_id'] == 'cpu'
    assert cfg.strategy['state_dict_cfg'] == 'full'
    assert cfg.optim_wrapper['type'] == 'ShardedOptimWrapper'
    assert cfg.optim_wrapper['clip_grad'] == dict(max_norm=1.0)
    amp = _recipe()
    amp.optim_wrapper['type'] = 'AmpOptimWrapper'
    cfg = prepare_strategy_cfg(apply_strategy(amp, 'fsdp'))
    assert cfg.optim_wrapper['type'] == 'ShardedAmpOptimWrapper'
    assert cfg.optim_wrapper['use_fsdp'] is True
    odd = _recipe()
    odd.optim_wrapper['type'] = 'MyWrapper'
    with pytest.raises(ValueError, match='no sharded twin'):
        prepare_strategy_cfg(apply_strategy(odd, 'fsdp'))


def test_deepspeed_absent_says_what_to_install(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        'find_spec',
        lambda name, *a: None if name == 'deepspeed' else real(name, *a),
    )
    for name in ('deepspeed_zero2', 'deepspeed_zero3'):
        with pytest.raises(ImportError, match=r'pip install --no-build-isolation deepspeed'):
            prepare_strategy_cfg(apply_strategy(_recipe(), name))


def test_deepspeed_owns_clipping_accumulation_and_batch_size(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        'find_spec',
        lambda name, *a: object() if name == 'deepspeed' else real(name, *a),
    )
    import vltoolkit.compat.deepspeed_onebit as onebit

    monkeypatch.setattr(onebit, 'patch_mmengine_deepspeed', lambda: None)
    recipe = _recipe()
    recipe.optim_wrapper['accumulative_counts'] = 4
    cfg = prepare_strategy_cfg(apply_strategy(recipe, 'deepspeed_zero3'))
    assert cfg.optim_wrapper['type'] == 'DeepSpeedOptimWrapper'
    assert 'clip_grad' not in cfg.optim_wrapper
    assert 'accumulative_counts' not in cfg.optim_wrapper
    assert cfg.strategy['gradient_clipping'] == 1.0
    assert cfg.strategy['gradient_accumulation_steps'] == 4
    assert cfg.strategy['train_micro_batch_size_per_gpu'] == 16
    assert cfg.strategy['zero_optimization']['stage'] == 3
    amp = _recipe()
    amp.optim_wrapper['type'] = 'AutocastOptimWrapper'
    amp.runner_type, amp.strategy = 'FlexibleRunner', dict(type='DeepSpeedStrategy')
    with pytest.raises(ValueError, match='bf16=dict'):
        prepare_strategy_cfg(amp)


def test_train_cli_strategy_flag(tmp_path):
    import argparse

    from vltoolkit.engine.runner import config_from_args
    from vltoolkit.utils.cli import add_common_args

    parser = add_common_args(argparse.ArgumentParser(), train=True)
    recipe = tmp_path / 'r.py'
    recipe.write_text(
        "optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='AdamW', lr=1e-4))\n"
    )
    args = parser.parse_args([str(recipe), '--strategy', 'fsdp', '--amp'])
    cfg = config_from_args(args)
    assert cfg.runner_type == 'FlexibleRunner' and cfg.strategy['type'] == 'FSDPStrategy'
    assert cfg.optim_wrapper['type'] in ('AutocastOptimWrapper', 'AmpOptimWrapper')


def test_sharded_clip_equals_torch_clip_in_one_process():
    torch.manual_seed(0)
    grads = [torch.randn(5, 3) * 4, torch.randn(7), torch.zeros(0)]
    for norm_type in (2.0, 1.0, float('inf')):
        ours = [torch.nn.Parameter(torch.zeros_like(g)) for g in grads]
        # torch's reference cannot take the empty shard (FSDP's empty views)
        ref = [torch.nn.Parameter(torch.zeros_like(g)) for g in grads[:2]]
        for p, q, g in zip(ours, ref, grads):
            p.grad, q.grad = g.clone(), g.clone()
        total = sharded_clip_grad_norm_(ours, max_norm=1.0, norm_type=norm_type)
        expected = torch.nn.utils.clip_grad_norm_(ref, max_norm=1.0, norm_type=norm_type)
        torch.testing.assert_close(total, expected)
        for p, q in zip(ours, ref):
            torch.testing.assert_close(p.grad, q.grad)
        assert 1.0 < float(total)  # the clipping did something


def test_deepspeed_converter_needs_deepspeed_or_a_folder(tmp_path, monkeypatch):
    import runpy

    conv = runpy.run_path(str(ROOT / 'tools' / 'model_converters' / 'deepspeed_to_mmengine.py'))
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        'find_spec',
        lambda name, *a: None if name == 'deepspeed' else real(name, *a),
    )
    with pytest.raises(ImportError, match='optional `deepspeed`'):
        conv['convert'](str(tmp_path), str(tmp_path / 'out.pth'))
    monkeypatch.setattr(
        importlib.util,
        'find_spec',
        lambda name, *a: object() if name == 'deepspeed' else real(name, *a),
    )
    with pytest.raises(FileNotFoundError, match='needs no conversion'):
        conv['convert'](str(tmp_path / 'epoch_1.pth'), str(tmp_path / 'out.pth'))
