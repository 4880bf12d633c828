"""The train / test command line shared through vltoolkit.utils.cli."""

import argparse

import pytest
from mmengine.config import Config

from vltoolkit.utils.cli import add_common_args, amp_optim_wrapper, merge_args


def _parse(argv, train=True):
    return add_common_args(argparse.ArgumentParser(), train=train).parse_args(argv)


def test_cfg_options_item_without_equals_is_refused_with_the_fix(capsys):
    with pytest.raises(SystemExit) as exc:
        _parse(['cfg.py', '--cfg-options', 'train_cfg.max_epochs', '2'])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "'train_cfg.max_epochs' has no \"=\"" in err
    assert 'key=value' in err


def test_merge_args_order_and_resume():
    cfg = Config(
        dict(work_dir=None, train_cfg=dict(max_epochs=5), optim_wrapper=dict(type='OptimWrapper'))
    )
    args = _parse(
        [
            'configs/hoi/x_toy.py',
            '--cfg-options',
            'train_cfg.max_epochs=2',
            'work_dir=from_options',
            '--work-dir',
            'from_flag',
            '--resume',
        ]
    )
    cfg = merge_args(cfg, args)
    assert cfg.train_cfg.max_epochs == 2
    assert cfg.work_dir == 'from_flag'  # the explicit flag wins over --cfg-options
    assert cfg.resume is True and cfg.load_from is None

    cfg = merge_args(Config(dict()), _parse(['configs/hoi/x_toy.py', '--resume', 'a.pth']))
    assert cfg.resume is True and cfg.load_from == 'a.pth'
    assert cfg.work_dir.endswith('x_toy')


def test_test_parser_has_no_train_options():
    args = _parse(['cfg.py'], train=False)
    assert not hasattr(args, 'resume') and not hasattr(args, 'amp')
    cfg = merge_args(Config(dict(load_from='keep.pth')), args)
    assert cfg.load_from == 'keep.pth' and 'resume' not in cfg


def test_amp_wrapper_picks_the_mixed_precision_twin(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    cfg = amp_optim_wrapper(dict(type='ExactAccumulationOptimWrapper'))
    assert cfg == dict(type='ExactAccumulationAutocastOptimWrapper', dtype='bfloat16')
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    # a GPU without bf16 (V100, T4): fp16 with loss scaling
    monkeypatch.setattr(torch.cuda, 'is_bf16_supported', lambda *a, **k: False)
    cfg = amp_optim_wrapper(dict(type='OptimWrapper'))
    assert cfg['type'] == 'AmpOptimWrapper' and cfg['loss_scale'] == 'dynamic'
    assert cfg['dtype'] == 'float16'
    # bf16 where the GPU has it, no loss scaling
    monkeypatch.setattr(torch.cuda, 'is_bf16_supported', lambda *a, **k: True)
    cfg = amp_optim_wrapper(dict(type='OptimWrapper'))
    assert cfg == dict(type='AmpOptimWrapper', dtype='bfloat16')
    custom = dict(type='MyWrapper')
    assert amp_optim_wrapper(custom) is custom
