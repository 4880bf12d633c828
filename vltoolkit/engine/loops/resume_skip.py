"""Where a resumed epoch starts: one helper for every vltoolkit epoch loop.

mmengine 0.10.7's ``EpochBasedTrainLoop`` restarts a resumed epoch from its
first batch. Our loops instead record, in the message hub (saved in every
checkpoint), how far the epoch got: the batches done, the *samples* consumed
over all ranks, and the batching that produced them (batch size, world
size, batch sampler). On resume:

- same batching: the batches already trained are skipped;
- another batch size or world size with mmengine's ``DefaultSampler`` and a
  plain batch sampler: the samples already trained are skipped. This is
  exact because ``DefaultSampler`` shuffles the whole data set with
  ``seed + epoch`` and deals it round-robin to the ranks, so after ``k``
  iterations the ranks together have consumed the first ``k * B * W``
  indices of one global order, whatever ``B`` and ``W`` are;
- anything else (a task-grouped batch sampler with other batch sizes, a
  custom sampler): a :class:`ResumeMismatchError` saying what changed.

Checkpoints written before this record existed fall back to counting
iterations, and are refused when that count cannot belong to this epoch.
"""

import math
from dataclasses import dataclass
from typing import Iterator, Optional, Tuple

from mmengine.dataset import DefaultSampler
from mmengine.dist import get_dist_info
from torch.utils.data import BatchSampler

PROGRESS_KEY = 'train_epoch_progress'


class ResumeMismatchError(RuntimeError):
    """The checkpoint's position in the epoch cannot be mapped onto this run."""


def _batch_sampler(dataloader):
    return getattr(dataloader, 'batch_sampler', None)


def _by_samples(dataloader) -> bool:
    """A torch ``BatchSampler`` over a ``DefaultSampler``: positions in the
    epoch can be counted in samples of one global order."""
    batch_sampler = _batch_sampler(dataloader)
    return type(batch_sampler) is BatchSampler and isinstance(
        getattr(batch_sampler, 'sampler', None), DefaultSampler
    )


def batching_of(dataloader) -> dict:
    """What decides which samples an iteration consumes: the batch sampler
    type, its batch sizes and the world size."""
    batch_sampler = _batch_sampler(dataloader)
    info = dict(
        batch_sampler=type(batch_sampler).__name__,
        batch_size=getattr(dataloader, 'batch_size', None)
        or getattr(batch_sampler, 'batch_size', None),
        world_size=get_dist_info()[1],
    )
    for key in ('task_batch_size', 'token_budget', 'max_batch_size'):
        value = getattr(batch_sampler, key, None)
        if value:
            info[key] = dict(value) if isinstance(value, dict) else value
    return info


def _describe_change(saved: dict, now: dict) -> str:
    keys = sorted(set(saved) | set(now))
    return ', '.join(
        f'{k} {saved.get(k)!r} -> {now.get(k)!r}' for k in keys if saved.get(k) != now.get(k)
    )


class _SkipFirst:
    """A sampler that drops the first ``skip`` indices of another one (the
    skipped samples are never loaded)."""

    def __init__(self, sampler, skip: int):
        self.sampler, self.skip = sampler, skip

    def __iter__(self):
        for i, index in enumerate(self.sampler):
            if i >= self.skip:
                yield index

    def __len__(self):
        return max(len(self.sampler) - self.skip, 0)

    def __getattr__(self, name):
        return getattr(self.sampler, name)


@dataclass
class ResumePoint:
    """Where the current epoch starts on this rank."""

    skip_batches: int = 0  # whole batches to draw and drop
    skip_samples: int = 0  # samples of this rank's shard never loaded
    first_idx: int = 0  # batch index given to the first batch run
    samples: Optional[int] = 0  # global samples consumed before it
    message: str = ''


def resume_point(loop) -> ResumePoint:
    """Where ``loop``'s current epoch (``loop._epoch``) starts, from the
    progress recorded in the message hub (restored by a resume)."""
    dataloader = loop.dataloader
    now = batching_of(dataloader)
    saved = loop.runner.message_hub.get_info(PROGRESS_KEY)
    epoch = loop._epoch
    if saved is None:  # a checkpoint from before the record: count iterations
        done = loop._iter - epoch * len(dataloader)
        if done <= 0:
            return ResumePoint(samples=0 if _by_samples(dataloader) else None)
        if done > len(dataloader):
            raise ResumeMismatchError(
                f'the checkpoint is at iteration {loop._iter}, which is not in '
                f'epoch {epoch + 1} of {len(dataloader)} iterations with this '
                'batch size / number of ranks; it has no record of the samples '
                'it consumed: resume with the batch size and number of ranks '
                'it was trained with'
            )
        return ResumePoint(
            done,
            0,
            done,
            None,
            f'resuming epoch {epoch + 1} after its first {done} '
            'iterations (checkpoint without a sample count): '
            'skipping those batches',
        )
    if saved['epoch'] != epoch or saved['iters'] == 0:
        return ResumePoint(samples=0 if _by_samples(dataloader) else None)
    same = saved['batching'] == now
    if same and not _by_samples(dataloader):
        done = saved['iters']
        return ResumePoint(
            done,
            0,
            done,
            None,
            f'resuming epoch {epoch + 1} after its first {done} iterations: skipping those batches',
        )
    change = _describe_change(saved['batching'], now)
    if saved.get('samples') is None or not _by_samples(dataloader):
        raise ResumeMismatchError(
            f'cannot resume epoch {epoch + 1} mid-way: the checkpoint was '
            f'trained with other batching ({change}) and this batch sampler '
            'cannot skip by samples. Resume with the batch size(s) and number '
            'of ranks of the checkpoint, or resume from an end-of-epoch '
            'checkpoint.'
        )
    return _skip_samples(loop, saved['samples'], change, same)


def _skip_samples(loop, samples: int, change: str, same: bool) -> ResumePoint:
    """Rank ``r`` of ``W`` skips the positions ``p < samples`` of the global
    order with ``p % W == r``; refused when that leaves the ranks different
    numbers of batches (DDP would pair different iterations)."""
    dataloader = loop.dataloader
    batch_sampler = dataloader.batch_sampler
    sampler = batch_sampler.sampler
    rank, world = get_dist_info()
    epoch = loop._epoch
    dataset_len = len(sampler.dataset)
    if samples >= dataset_len:  # saved after the epoch's last batch
        return ResumePoint(
            0,
            sampler.num_samples,
            len(dataloader),
            samples,
            f'epoch {epoch + 1} was complete in the checkpoint',
        )

    def left_batches(r):
        skip = max(0, math.ceil((samples - r) / world))
        left = max(sampler.num_samples - skip, 0)
        if batch_sampler.drop_last:
            return left // batch_sampler.batch_size
        return math.ceil(left / batch_sampler.batch_size)

    counts = {left_batches(r) for r in range(world)}
    if len(counts) > 1:
        raise ResumeMismatchError(
            f'cannot resume epoch {epoch + 1} after {samples} samples on {world} '
            f'ranks with batch size {batch_sampler.batch_size}: the ranks would '
            f'get different numbers of batches ({sorted(counts)}). The '
            f'checkpoint was trained with {change}; use a number of ranks that '
            f'divides {samples}, or the checkpoint\'s batching.'
        )
    skip = max(0, math.ceil((samples - rank) / world))
    first_idx = max(0, math.ceil(samples / world)) // batch_sampler.batch_size
    if same:
        message = (
            f'resuming epoch {epoch + 1} after its first {first_idx} '
            f'iterations ({samples} of its {dataset_len} samples): '
            'skipping those batches'
        )
    else:
        message = (
            f'resuming epoch {epoch + 1} after {samples} of its '
            f'{dataset_len} samples: skipping those samples (batching '
            f'changed since the checkpoint: {change}; iteration counters '
            "and iteration-based schedules continue from the checkpoint's "
            'count)'
        )
    return ResumePoint(0, skip, first_idx, samples, message)


def resumed_batches(loop) -> Iterator[Tuple[int, dict]]:
    """``(idx, data_batch)`` of ``loop``'s current epoch, without what a
    checkpoint of this epoch already trained; logs what it skips."""
    point = resume_point(loop)
    if point.message:
        loop.runner.logger.info(point.message)
    loop._progress = dict(
        epoch=loop._epoch,
        iters=point.first_idx,
        samples=point.samples,
        batching=batching_of(loop.dataloader),
    )
    batch_sampler = _batch_sampler(loop.dataloader)
    original = getattr(batch_sampler, 'sampler', None)
    if point.skip_samples:
        batch_sampler.sampler = _SkipFirst(original, point.skip_samples)
    try:
        for i, data_batch in enumerate(loop.dataloader):
            if i < point.skip_batches:
                continue
            yield point.first_idx + i - point.skip_batches, data_batch
    finally:
        if point.skip_samples:
            batch_sampler.sampler = original


def record_progress(loop) -> None:
    """Count one more iteration of the current epoch into the message hub,
    before the ``after_train_iter`` hooks (which may save a checkpoint)."""
    progress = getattr(loop, '_progress', None)
    if progress is None:
        return
    progress['iters'] += 1
    if progress['samples'] is not None:
        batching = progress['batching']
        progress['samples'] += batching['batch_size'] * batching['world_size']
    loop.runner.message_hub.update_info(PROGRESS_KEY, dict(progress))
