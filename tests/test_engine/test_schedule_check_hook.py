"""Schedules that cannot happen are found before the first training step."""

import pytest
import torch
from mmengine.config import Config
from mmengine.evaluator import BaseMetric
from mmengine.model import BaseModel

from vltoolkit.engine import build_runner
from vltoolkit.engine.hooks import ModalityScheduleHook
from vltoolkit.registry import DATASETS, METRICS, MODELS


@MODELS.register_module(force=True)
class _ScheduleToyModel(BaseModel):
    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(2, 1)
        self.stages = []

    def set_stage(self, **kwargs):
        self.stages.append(kwargs['modalities'])

    def forward(self, inputs, data_samples=None, mode='tensor'):
        out = self.linear(torch.stack(inputs))
        return dict(loss=(out**2).mean()) if mode == 'loss' else [float(v) for v in out]


@METRICS.register_module(force=True)
class _ScheduleToyMetric(BaseMetric):
    def process(self, data_batch, data_samples):
        self.results.extend(data_samples)

    def compute_metrics(self, results):
        return dict(n=len(results))


@DATASETS.register_module(force=True)
class _ScheduleToyDataset(torch.utils.data.Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        return dict(inputs=torch.full((2,), float(i)))


def _loader():  # 2 iterations per epoch
    return dict(
        batch_size=4,
        dataset=dict(type='_ScheduleToyDataset'),
        sampler=dict(type='DefaultSampler', shuffle=False),
        collate_fn=dict(type='pseudo_collate'),
    )


def _runner(
    tmp_path, max_epochs=2, val_interval=1, val_begin=1, schedulers=(), stages=None, strict=True
):
    hooks = [dict(type='ScheduleCheckHook', strict=strict)]
    if stages is not None:
        hooks.append(dict(type='ModalityScheduleHook', stages=stages))
    cfg = Config(
        dict(
            model=dict(type='_ScheduleToyModel'),
            work_dir=str(tmp_path),
            default_scope='vltoolkit',
            train_dataloader=_loader(),
            val_dataloader=_loader(),
            train_cfg=dict(
                by_epoch=True, max_epochs=max_epochs, val_interval=val_interval, val_begin=val_begin
            ),
            val_cfg=dict(),
            val_evaluator=dict(type='_ScheduleToyMetric'),
            optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)),
            param_scheduler=list(schedulers),
            custom_hooks=hooks,
            default_hooks=dict(checkpoint=None, logger=dict(type='LoggerHook', interval=1)),
            log_level='WARNING',
        )
    )
    return build_runner(cfg)


def test_a_possible_schedule_trains(tmp_path):
    runner = _runner(
        tmp_path,
        schedulers=[
            dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=3),
            dict(type='CosineAnnealingLR', by_epoch=True, begin=0, convert_to_iter_based=True),
        ],
        stages=[dict(begin=0, modalities=['a']), dict(begin=1, modalities=['a', 'b'])],
    )
    runner.train()
    assert runner.iter == 4 and runner.model.stages == [['a'], ['a', 'b']]


@pytest.mark.parametrize(
    'kwargs, message',
    [
        (
            dict(stages=[dict(begin=0, modalities=['a']), dict(begin=2, modalities=['a', 'b'])]),
            r"stage 1 \(AB, modalities \['a', 'b'\]\) begins at epoch 2, but training ends "
            r"after 2 epochs: it never trains",
        ),
        (
            dict(schedulers=[dict(type='LinearLR', by_epoch=False, begin=0, end=10)]),
            r'LinearLR runs iterations 0-10, past the end of training \(4 iterations\)',
        ),
        (
            dict(schedulers=[dict(type='LinearLR', by_epoch=True, begin=3, end=5)]),
            r'LinearLR begins at epoch 3, but training ends after 2 epochs: it never runs',
        ),
        (
            dict(
                schedulers=[
                    dict(type='LinearLR', by_epoch=True, begin=0, end=3, convert_to_iter_based=True)
                ]
            ),
            r'LinearLR runs iterations 0-6, past the end of training \(4 iterations\)',
        ),
        (
            dict(val_interval=5),
            r'val_interval=5 is larger than the run \(2 epochs\): it '
            r'validates once, after the last epoch',
        ),
        (dict(val_begin=3), r'val_begin=3 is after the last epoch \(2\): the run never validates'),
    ],
)
def test_impossible_schedules_are_refused_when_strict(tmp_path, kwargs, message):
    runner = _runner(tmp_path, **kwargs)
    with pytest.raises(ValueError, match=message):
        runner.train()
    assert runner.iter == 0  # refused before the first step


def test_warns_by_default_and_is_added_to_every_run(tmp_path, capsys):
    cfg_runner = _runner(tmp_path, val_interval=5, strict=False)
    cfg_runner.train()  # a warning, not an error: the run completes
    assert cfg_runner.iter == 4
    assert 'schedule: val_interval=5 is larger than the run' in capsys.readouterr().out
    hooks = [type(h).__name__ for h in cfg_runner.hooks]
    assert hooks.count('ScheduleCheckHook') == 1
    cfg = Config(
        dict(
            model=dict(type='_ScheduleToyModel'),
            work_dir=str(tmp_path / 'b'),
            default_scope='vltoolkit',
        )
    )
    runner = build_runner(cfg)
    assert [type(h).__name__ for h in runner.hooks].count('ScheduleCheckHook') == 1
    assert ModalityScheduleHook  # the hook the stage check reads
