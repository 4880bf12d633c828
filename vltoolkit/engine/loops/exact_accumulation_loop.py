"""Several task batches per optimizer update, normalised as one big batch."""

from typing import List

import torch
import torch.distributed as dist
from mmengine.model import is_model_wrapper

from vltoolkit.registry import LOOPS
from vltoolkit.structures import IGNORE_INDEX

from .resumable_epoch_loop import ResumableEpochBasedTrainLoop
from .resume_skip import resumed_batches

MODES = ('num_batches', 'samples', 'tokens', 'per_task')


@LOOPS.register_module()
class ExactAccumulationTrainLoop(ResumableEpochBasedTrainLoop):
    """Epoch loop where one optimizer update consumes a set of batches.

    Batches (e.g. single-task batches of ``TaskGroupedBatchSampler``) are
    drawn until the update is full, then run one after the other. Before
    they run, the loop sums the model's ``loss_units`` (target tokens or
    samples) over the update and over all ranks, and hands every micro-batch
    ``inputs['avg_factor'] = total / world_size``. Each micro-batch loss is
    then ``sum over its units / total``, so the accumulated gradient is the
    gradient of the mean over the whole update: the update a single big
    batch of the same samples gives.

    Args:
        update (dict): when an update is full, all counted over the ranks:
            ``dict(mode='num_batches', value=N)`` (N batches per rank),
            ``dict(mode='samples', value=N)`` / ``dict(mode='tokens', value=N)``
            (at least N samples / target tokens), or ``dict(mode='per_task')``
            (until every task of the epoch has given a batch).
        **kwargs: of :class:`ResumableEpochBasedTrainLoop` (``max_epochs``,
            ``val_interval``, ...).

    Needs an optimizer wrapper with ``begin_update`` (``type=
    'ExactAccumulationOptimWrapper'``, or its Amp / Autocast variants).
    ``runner.iter`` counts micro-batches; save mid-epoch checkpoints at
    update boundaries (a resume re-runs the batches after the checkpoint).
    """

    def __init__(self, runner, dataloader, update: dict = dict(mode='per_task'), **kwargs):
        super().__init__(runner, dataloader, **kwargs)
        update = dict(update)
        self.mode = update.pop('mode')
        self.value = update.pop('value', None)
        if self.mode not in MODES:
            raise ValueError(f'update mode {self.mode!r}: use one of {MODES}')
        if self.mode != 'per_task' and (self.value is None or self.value < 1):
            raise ValueError(f"update mode {self.mode!r} needs value >= 1, got {self.value}")
        if update:
            raise ValueError(f'unknown update keys {sorted(update)}')

    @property
    def _model(self):
        model = self.runner.model
        return model.module if is_model_wrapper(model) else model

    def _all_tasks(self) -> List[str]:
        """The tasks this epoch's batches come from (a task weighted 0 by the
        sampler has none and must not hold an update open)."""
        dataset = self.dataloader.dataset
        sampler = self.dataloader.batch_sampler
        if hasattr(sampler, 'global_plan') and hasattr(dataset, 'task_of'):
            return sorted({dataset.task_of(batch[0]) for batch in sampler.global_plan()})
        tasks = getattr(dataset, 'task_indices', None)
        if tasks:
            return sorted(tasks)
        return sorted({dataset.get_data_info(i).get('task', '') for i in range(len(dataset))})

    @staticmethod
    def _global_sum(value: torch.Tensor) -> torch.Tensor:
        if dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1:
            value = value.clone()
            dist.all_reduce(value)
        return value

    def _count(self, data_batch) -> torch.Tensor:
        if self.mode == 'samples':
            return torch.tensor(float(len(data_batch['data_samples'])))
        if self.mode == 'tokens':
            return (data_batch['inputs']['labels'] != IGNORE_INDEX).sum().float()
        return torch.tensor(1.0)

    def _full(self, batches, seen, count) -> bool:
        if self.mode == 'per_task':
            return bool(seen.all())
        if self.mode == 'num_batches':
            return len(batches) >= self.value
        return count >= self.value

    def _updates(self):
        """Yield lists of ``(idx, batch)`` forming one update each; the
        decision is global, so every rank closes its updates together. A
        resumed epoch starts after what its checkpoint trained."""
        tasks = self._all_tasks() if self.mode == 'per_task' else []
        batches, seen, count = [], torch.zeros(len(tasks)), 0.0
        for idx, data_batch in resumed_batches(self):
            batches.append((idx, data_batch))
            if self.mode == 'per_task':
                task = data_batch['data_samples'][0].metainfo.get('task', '')
                mark = torch.zeros(len(tasks))
                mark[tasks.index(task)] = 1
                seen = torch.maximum(seen, self._global_sum(mark).clamp(max=1))
            else:
                count += float(self._global_sum(self._count(data_batch)))
            if self._full(batches, seen, count):
                yield batches
                batches, seen, count = [], torch.zeros(len(tasks)), 0.0
        if batches:
            yield batches

    def run_epoch(self) -> None:
        self.runner.call_hook('before_train_epoch')
        self.runner.model.train()
        world = dist.get_world_size() if dist.is_available() and dist.is_initialized() else 1
        for update in self._updates():
            units = torch.stack(
                [self._model.loss_units(b['inputs']).float().cpu() for _, b in update]
            ).sum()
            avg_factor = self._global_sum(units) / world
            self.runner.optim_wrapper.begin_update(len(update))
            for idx, data_batch in update:
                data_batch['inputs']['avg_factor'] = avg_factor
                self.run_iter(idx, data_batch)
        self.runner.call_hook('after_train_epoch')
        self._epoch += 1
