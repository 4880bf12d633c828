"""Experiment tracking: TensorBoard on by default, W&B / MLflow one switch away."""

import importlib.util

import pytest

from .conftest import TOY_CFG, run_tool


@pytest.mark.slow
def test_toy_run_writes_tensorboard_scalars_and_val_pictures(toy_workdir):
    event_accumulator = pytest.importorskip(
        'tensorboard.backend.event_processing.event_accumulator',
        reason='tensorboard is in requirements/runtime.txt (make venv)',
    )
    missing = [p for p in ('wandb', 'mlflow') if importlib.util.find_spec(p) is None]
    proc = run_tool(
        [
            'train.py',
            TOY_CFG,
            '--work-dir',
            'work_dirs/tracking',
            '--vis-backend',
            'tensorboard',
            'wandb',
            'mlflow',
            '--cfg-options',
            'train_cfg.max_epochs=1',
            'train_cfg.val_interval=1',
            'train_dataloader.batch_size=8',
            'val_dataloader.batch_size=8',
            'default_hooks.logger.interval=1',
        ],
        toy_workdir,
        extra_env=dict(WANDB_MODE='offline'),
    )
    log = proc.stdout + proc.stderr
    for package in missing:  # absent: one clear warning each, the run goes on
        assert f'needs the `{package}` package, which is not installed' in log
    events = list((toy_workdir / 'work_dirs' / 'tracking').glob('*/vis_data/events.out.tfevents.*'))
    assert len(events) == 1, events
    acc = event_accumulator.EventAccumulator(str(events[0]), size_guidance={'images': 0})
    acc.Reload()
    tags = acc.Tags()
    assert {'loss', 'lr', 'hoi/macro_f1', 'grounding/acc_at_0_5'} <= set(tags['scalars'])
    losses = [e.value for e in acc.Scalars('loss')]
    assert len(losses) >= 2 and all(v > 0 for v in losses)
    f1 = acc.Scalars('hoi/macro_f1')
    assert len(f1) == 1 and f1[0].step == 1 and 0 <= f1[0].value <= 100
    # the same numbers as the local scalars.json that plot_curves.py reads
    import json

    records = [
        json.loads(line) for line in (events[0].parent / 'scalars.json').read_text().splitlines()
    ]
    assert [r['loss'] for r in records if 'loss' in r] == pytest.approx(losses)
    pictures = [t for t in tags['images'] if t.startswith('val/')]
    assert len(pictures) == 4, tags['images']


def test_vis_backend_names_and_missing_packages(monkeypatch):
    from mmengine.config import Config

    from vltoolkit.visualization import trackers

    assert [b['type'] for b in trackers.tracker_backends(['wandb', 'tensorboard', 'wandb'])] == [
        'LocalVisBackend',
        'WandbVisBackend',
        'TensorboardVisBackend',
    ]
    with pytest.raises(ValueError, match='--vis-backend comet: unknown; choose from local'):
        trackers.tracker_backends(['comet'])
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        trackers.importlib.util,
        'find_spec',
        lambda name: None if name in ('wandb', 'mlflow') else real_find_spec(name),
    )
    cfg = Config(
        dict(
            visualizer=dict(
                type='VLVisualizer',
                vis_backends=[
                    dict(type='LocalVisBackend'),
                    dict(type='WandbVisBackend', init_kwargs={}),
                    dict(type='TensorboardVisBackend'),
                    dict(type='MLflowVisBackend'),
                ],
            )
        )
    )
    assert trackers.drop_missing_trackers(cfg) == ['WandbVisBackend', 'MLflowVisBackend']
    assert [b['type'] for b in cfg.visualizer.vis_backends] == [
        'LocalVisBackend',
        'TensorboardVisBackend',
    ]


def test_train_parses_vis_backend():
    from tests.conftest import load_tool

    train = load_tool('train.py')
    args = train.parse_args(['cfg.py', '--vis-backend', 'tensorboard', 'mlflow'])
    assert args.vis_backend == ['tensorboard', 'mlflow']
    with pytest.raises(SystemExit):
        train.parse_args(['cfg.py', '--vis-backend', 'comet'])
