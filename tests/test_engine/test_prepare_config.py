"""One config preparation (vltoolkit.engine.runner.prepare_config) for every
entry point: overrides (typos refused), flags, ${...} references."""

import argparse
import subprocess
import sys
from pathlib import Path

import pytest
from mmengine.config import Config

from vltoolkit.engine.runner import config_from_args, prepare_config
from vltoolkit.utils.cli import add_common_args
from vltoolkit.utils.config_refs import UnknownOverrideError, merge_overrides

ROOT = Path(__file__).resolve().parents[2]


def _parse(argv, train=True):
    return add_common_args(argparse.ArgumentParser(), train=train).parse_args(argv)


def test_flags_win_over_options_and_resume():
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
    cfg = config_from_args(args, cfg)
    assert cfg.train_cfg.max_epochs == 2
    assert cfg.work_dir == 'from_flag'  # the explicit flag wins over --cfg-options
    assert cfg.resume is True and cfg.load_from is None

    cfg = config_from_args(_parse(['configs/hoi/x_toy.py', '--resume', 'a.pth']), Config(dict()))
    assert cfg.resume is True and cfg.load_from == 'a.pth'
    assert cfg.work_dir == 'work_dirs/hoi/x_toy'


def test_test_options_keep_load_from():
    cfg = config_from_args(_parse(['cfg.py'], train=False), Config(dict(load_from='keep.pth')))
    assert cfg.load_from == 'keep.pth' and 'resume' not in cfg


def test_amp_wrapper_picks_the_mixed_precision_twin(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    cfg = prepare_config(
        Config(dict(optim_wrapper=dict(type='ExactAccumulationOptimWrapper'))), amp=True
    )
    assert cfg.optim_wrapper == dict(type='ExactAccumulationAutocastOptimWrapper', dtype='bfloat16')
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    # a GPU without bf16 (V100, T4): fp16 with loss scaling
    monkeypatch.setattr(torch.cuda, 'is_bf16_supported', lambda *a, **k: False)
    cfg = prepare_config(Config(dict(optim_wrapper=dict(type='OptimWrapper'))), amp=True)
    assert cfg.optim_wrapper['type'] == 'AmpOptimWrapper'
    assert cfg.optim_wrapper['loss_scale'] == 'dynamic' and cfg.optim_wrapper['dtype'] == 'float16'
    # bf16 where the GPU has it, no loss scaling
    monkeypatch.setattr(torch.cuda, 'is_bf16_supported', lambda *a, **k: True)
    cfg = prepare_config(Config(dict(optim_wrapper=dict(type='OptimWrapper'))), amp=True)
    assert cfg.optim_wrapper == dict(type='AmpOptimWrapper', dtype='bfloat16')


def test_overrides_then_references_and_load_from_left(tmp_path):
    path = tmp_path / 'recipe.py'
    path.write_text(
        "data_root = 'd'\nann = '${data_root}/a.json'\n"
        "load_from = '${last_checkpoint:work_dirs/x/y}'\n"
    )
    cfg = prepare_config(str(path), {'data_root': 'mine'})
    assert cfg.ann == 'mine/a.json'
    assert cfg.load_from == '${last_checkpoint:work_dirs/x/y}'  # a tool never loads it
    with pytest.raises(ValueError, match='previous stage has not been run'):
        prepare_config(cfg, resolve_load_from=True)  # what build_runner asks


def test_vis_backends_flag_sets_the_trackers():
    cfg = Config(dict(visualizer=dict(type='Visualizer', vis_backends=[])))
    cfg = prepare_config(cfg, vis_backends=['tensorboard'])
    types = [b['type'] for b in cfg.visualizer.vis_backends]
    assert 'LocalVisBackend' in types and len(types) == 2


def _typo_cfg():
    return Config(
        dict(
            data_root='data/toy',
            pretrained_root='checkpoints',
            loss=dict(type='GEMLoss', beta=1.0),
            model=dict(type='M', loss='${loss}'),
            train_cfg=dict(by_epoch=True, max_epochs=12, val_interval=1),
            custom_hooks=[dict(type='H', stages=[dict(begin=0)])],
        )
    )


@pytest.mark.parametrize(
    'key, close',
    [
        ('data_rot', "'data_root'"),
        ('train_cfg.max_epoch', "'train_cfg.max_epochs'"),
        ('model.loss.bta', "'loss.beta'"),  # through the ${loss} reference
    ],
)
def test_a_misspelt_key_is_refused_with_the_close_key(key, close):
    cfg = _typo_cfg()
    with pytest.raises(UnknownOverrideError, match=f'did you mean {close}') as err:
        merge_overrides(cfg, {key: 3})
    assert f'+{key}=VALUE' in str(err.value)  # the escape is named
    assert 'data_rot' not in cfg and 'max_epoch' not in cfg.train_cfg


def test_new_keys_unlike_any_key_and_plus_keys_are_added():
    cfg = merge_overrides(
        _typo_cfg(),
        {
            'load_from_min_match': 0.9,  # a new top-level key, like no other
            'randomness.seed': 3,
            'custom_hooks.0.stages.0.begin': 2,  # list indices: mmengine's business
            'model.loss.beta': 0.5,
            '+data_rot': 'kept on purpose',
        },
    )
    assert cfg.load_from_min_match == 0.9 and cfg.randomness.seed == 3
    assert cfg.custom_hooks[0]['stages'][0]['begin'] == 2
    assert cfg.loss.beta == 0.5 and cfg.data_rot == 'kept on purpose'


@pytest.mark.slow  # a subprocess / gradio import: ~10-35 s on 2 busy cores
def test_train_tool_refuses_a_misspelt_override(tmp_path):
    """The issue's acceptance: ``tools/train.py CONFIG --cfg-options data_rot=/x``
    exits non-zero naming ``data_root`` (before anything is built)."""
    proc = subprocess.run(
        [
            sys.executable,
            'tools/train.py',
            'configs/hoi/gem_distlabel_toy.py',
            '--work-dir',
            str(tmp_path),
            '--cfg-options',
            'data_rot=/x',
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert "did you mean 'data_root'" in proc.stderr
    assert not list(tmp_path.iterdir())  # refused before the Runner made its work dir
