"""A tiny in-process run for the reliability tests (NaN losses, checkpoints,
work dirs, resumes): 8 samples ``x = 0..7``, a one-weight model with loss
``(w - x)^2``, built through :func:`vltoolkit.engine.build_runner`."""

import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.model import BaseModel
from torch.utils.data import Dataset

from vltoolkit.registry import DATASETS, MODELS

N = 8


@DATASETS.register_module(name='_RelToySet', force=True)
class ToySet(Dataset):
    metainfo = dict()

    def __init__(self, n=N, offset=0):
        self.n, self.offset = n, offset

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return dict(inputs=i + self.offset)

    def get_data_info(self, i):
        return dict(file_id=f'img_{i + self.offset}', sample_idx=i)


@MODELS.register_module(name='_RelToyModel', force=True)
class ToyModel(BaseModel):
    """``loss = (w - x)^2``; ``nan_inputs``: samples whose loss is NaN."""

    def __init__(self, nan_inputs=()):
        super().__init__()
        self.w = nn.Parameter(torch.zeros(1))
        self.nan_inputs = set(nan_inputs)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        x = torch.tensor(inputs, dtype=torch.float32)
        loss = ((self.w - x) ** 2).mean()
        if self.nan_inputs & {int(i) for i in inputs}:
            loss = loss * float('nan')
        return dict(loss_sq=loss)


def config(work_dir, lr=0.01, max_epochs=2, batch_size=2, seed=5, **extra):
    from vltoolkit.engine.runner import unique_experiment_name

    model = dict(type='_RelToyModel', nan_inputs=extra.pop('nan_inputs', ()))
    cfg = Config(
        dict(
            model=model,
            work_dir=str(work_dir),
            train_dataloader=dict(
                dataset=dict(type='_RelToySet', **extra.pop('dataset', {})),
                sampler=dict(type='DefaultSampler', shuffle=True),
                batch_size=batch_size,
                num_workers=0,
                collate_fn=dict(type='pseudo_collate'),
            ),
            train_cfg=dict(type='ResumableEpochBasedTrainLoop', max_epochs=max_epochs),
            optim_wrapper=dict(optimizer=dict(type='SGD', lr=lr)),
            default_hooks=extra.pop(
                'default_hooks', dict(checkpoint=dict(type='CheckpointHook', interval=1))
            ),
            randomness=dict(seed=seed),
            default_scope='vltoolkit',
            log_level='WARNING',
            **extra,
        )
    )
    cfg.default_hooks.setdefault('logger', dict(type='LoggerHook', interval=1000))
    cfg.experiment_name = unique_experiment_name(cfg)
    return cfg


def build(work_dir, **kwargs):
    from vltoolkit.engine import build_runner

    return build_runner(config(work_dir, **kwargs))
