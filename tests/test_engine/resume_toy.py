"""A tiny run whose trained samples can be read back: for resume tests.

Also a script: ``torchrun --nproc_per_node 2 resume_toy.py WORK_DIR OUT
BATCH_SIZE [--resume]`` trains on CPU ranks (gloo) and writes, per rank,
the sample indices of every iteration to ``OUT.rank<r>.json``.
"""

import json
import sys

import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.model import BaseModel
from torch.utils.data import BatchSampler, Dataset

from vltoolkit.registry import DATA_SAMPLERS, DATASETS, HOOKS, MODELS

N = 12


@DATASETS.register_module(name='_ResumeIndexSet', force=True)
class IndexSet(Dataset):
    metainfo = dict()

    def __init__(self, n=N):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return dict(inputs=i)


@MODELS.register_module(name='_ResumeTinyModel', force=True)
class TinyModel(BaseModel):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.zeros(1))

    def forward(self, inputs, data_samples=None, mode='tensor'):
        x = torch.tensor(inputs, dtype=torch.float32)
        return dict(loss=((self.w - x) ** 2).mean())


@DATA_SAMPLERS.register_module(name='_ResumeCustomBatchSampler', force=True)
class CustomBatchSampler(BatchSampler):
    """Not a plain ``BatchSampler``: cannot be resumed by samples."""

    def __init__(self, sampler, batch_size, drop_last=False):
        super().__init__(sampler, batch_size, drop_last)


@HOOKS.register_module(name='_ResumeRecorder', force=True)
class Recorder(Hook):
    def __init__(self, out):
        self.out, self.batches = out, []

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        self.batches.append([runner.epoch, [int(i) for i in data_batch['inputs']]])

    def after_run(self, runner):
        if self.out:
            with open(f'{self.out}.rank{runner.rank}.json', 'w') as f:
                json.dump(self.batches, f)


def config(
    work_dir, batch_size, resume=False, ckpt_every=None, out=None, max_epochs=2, batch_sampler=None
):
    from vltoolkit.engine.runner import unique_experiment_name

    loader = dict(
        dataset=dict(type='_ResumeIndexSet'),
        sampler=dict(type='DefaultSampler', shuffle=True),
        batch_size=batch_size,
        num_workers=0,
        collate_fn=dict(type='pseudo_collate'),
    )
    if batch_sampler:
        loader['batch_sampler'] = dict(type=batch_sampler)
    cfg = Config(
        dict(
            model=dict(type='_ResumeTinyModel'),
            work_dir=str(work_dir),
            train_dataloader=loader,
            train_cfg=dict(type='ResumableEpochBasedTrainLoop', max_epochs=max_epochs),
            optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01)),
            default_hooks=dict(
                checkpoint=dict(
                    type='CheckpointHook', by_epoch=False, interval=ckpt_every or 10**6
                ),
                logger=dict(type='LoggerHook', interval=1000),
            ),
            custom_hooks=[dict(type='_ResumeRecorder', out=out)],
            randomness=dict(seed=5),
            resume=resume,
            default_scope='vltoolkit',
            env_cfg=dict(dist_cfg=dict(backend='gloo')),
            log_level='INFO',
        )
    )
    cfg.experiment_name = unique_experiment_name(cfg)
    return cfg


def train(work_dir, batch_size, launcher='none', **kwargs):
    """Run; returns the recorder's ``[epoch, [sample ids]]`` per iteration."""
    from vltoolkit.engine import build_runner

    runner = build_runner(config(work_dir, batch_size, **kwargs), launcher=launcher)
    runner.train()
    return [h for h in runner.hooks if isinstance(h, Recorder)][0].batches


if __name__ == '__main__':
    work_dir, out, batch_size = sys.argv[1], sys.argv[2], int(sys.argv[3])
    train(work_dir, batch_size, launcher='pytorch', resume='--resume' in sys.argv, out=out)
    from vltoolkit.engine import finish_distributed

    finish_distributed(0)
