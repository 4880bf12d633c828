"""Batches of one task each, from one global plan shared by every rank."""

from collections import OrderedDict
from typing import Dict, Iterator, List, Optional, Union

import numpy as np
from mmengine.dist import get_dist_info
from torch.utils.data import BatchSampler, Sampler

from vltoolkit.registry import DATA_SAMPLERS

from ..multi_task_dataset import _make_length_fn, check_task_weights

_DEFAULT_TASK = 'default'


class _DatasetView:
    """Task and length of every sample of any data set, computed once.

    A :class:`~vltoolkit.datasets.MultiTaskDataset` answers with its own
    ``task_of`` / ``length_of``; another data set (e.g. one
    ``HOIRelationDataset``) is read through ``get_data_info``: its
    ``task`` field (or the data set's ``task`` attribute, or
    ``'default'``) and the default length estimate.
    """

    def __init__(self, dataset):
        n = len(dataset)
        if n == 0:
            raise ValueError('TaskGroupedBatchSampler got an empty data set')
        # mmengine's _SlicedDataset (num_batch_per_epoch) keeps the first
        # len(dataset) samples of `_dataset`: read tasks and lengths there
        while not (hasattr(dataset, 'task_of') or hasattr(dataset, 'get_data_info')) and hasattr(
            dataset, '_dataset'
        ):
            dataset = dataset._dataset
        if hasattr(dataset, 'task_of') and hasattr(dataset, 'length_of'):
            if hasattr(dataset, 'sample_tasks') and hasattr(dataset, 'lengths'):
                tasks = list(dataset.sample_tasks)[:n]
                lengths = np.asarray(dataset.lengths, dtype=np.int64)[:n]
            else:
                tasks = [dataset.task_of(i) for i in range(n)]
                lengths = np.asarray([dataset.length_of(i) for i in range(n)], dtype=np.int64)
        else:
            fallback = getattr(dataset, 'task', None) or _DEFAULT_TASK
            length_fn = _make_length_fn(None)
            tasks, lengths = [], []
            for i in range(n):
                info = dict(dataset.get_data_info(i)) if hasattr(dataset, 'get_data_info') else {}
                tasks.append(info.get('task') or fallback)
                lengths.append(length_fn(info))
            lengths = np.asarray(lengths, dtype=np.int64)
        names = list(OrderedDict.fromkeys(tasks))
        task_ids = np.asarray(
            [names.index(t) for t in tasks] if len(names) > 1 else np.zeros(n, np.int64),
            dtype=np.int64,
        )
        self.tasks: List[str] = names
        self.lengths = lengths
        self.task_indices: Dict[str, np.ndarray] = OrderedDict(
            (t, np.flatnonzero(task_ids == k)) for k, t in enumerate(names)
        )
        weights = getattr(dataset, 'weights', None)  # MultiTaskDataset's
        self.weights = weights if isinstance(weights, dict) else None


@DATA_SAMPLERS.register_module()
class TaskGroupedBatchSampler(BatchSampler):
    """Every batch holds one task; all ranks share one global plan.

    Built by ``Runner.build_dataloader`` from::

        train_dataloader = dict(
            dataset=dict(type='MultiTaskDataset', datasets=[...]),
            sampler=dict(type='DefaultSampler', shuffle=True),
            batch_sampler=dict(type='TaskGroupedBatchSampler',
                               task_batch_size=dict(short=8, long=2)),
            batch_size=4,                  # tasks not in task_batch_size
            collate_fn=dict(type='vl_collate'))

    The wrapped ``sampler`` (kept as :attr:`sampler`, whose ``set_epoch``
    ``DistSamplerSeedHook`` calls) supplies the data set
    (``sampler.dataset``), ``seed``, ``epoch`` and ``shuffle``; its own
    per-rank shard is *not* used. Per epoch the plan is:

    1. each task's samples (every sample of the data set once; or, with
       ``num_samples_per_epoch``, a weighted draw) are shuffled with a
       generator seeded by ``seed + epoch``;
    2. each task is cut into batches: fixed size (``task_batch_size[task]``
       or ``batch_size``), or, under a token budget, as many samples as
       keep ``batch size x longest length in the batch <= budget``, after
       bucketing by length (samples sorted by length, ties in shuffled
       order, within the task or within chunks of ``bucket_size``);
    3. the batches of all tasks are shuffled together;
    4. batch ``j`` goes to rank ``j % world_size``; the plan is truncated
       to a multiple of ``world_size`` batches so that every rank gets
       the same number (``round_up=True`` repeats the first batches
       instead of dropping the last ones).

    Every rank computes the same plan, so ranks draw disjoint samples and
    take the same number of steps. With one process every sample appears
    exactly once per epoch; with ``W`` ranks up to ``W - 1`` batches (a
    different random set each epoch) are dropped. The plan depends only on
    ``seed``, ``epoch`` and the data set, so a resumed run that skips the
    first ``k`` batches of an epoch (``ResumableEpochBasedTrainLoop``) sees
    exactly the remaining batches of the uninterrupted run.

    The number of batches is the same in every epoch, except under a
    token budget with ``bucket_size`` set (chunked bucketing), where it
    may change by a few from epoch to epoch; ``len()`` is exact for the
    current epoch in either case. A constant count is what
    ``EpochBasedTrainLoop``'s ``max_iters`` and the resume loop's
    ``iter - epoch * len(dataloader)`` assume, hence the default
    ``bucket_size=None``.

    Args:
        sampler (Sampler): the sampler of the data loader config (usually
            ``DefaultSampler``); must have ``dataset``.
        batch_size (int): batch size of the tasks not in
            ``task_batch_size`` (the data loader's ``batch_size``).
        task_batch_size (dict[str, int], optional): batch size per task.
            With a token budget these cap the budget's batch sizes.
        token_budget (int | dict[str, int], optional): padded tokens per
            batch (``batch size x longest length``, lengths from the data
            set's ``length_of``). A dict sets per-task budgets; tasks left
            out of it use fixed batch sizes.
        max_batch_size (int, optional): cap on every budget batch size.
        bucket_size (int, optional): under a token budget, sort by length
            within shuffled chunks of this many samples (more randomness in
            which samples meet, batch count varies a little per epoch).
            Default None: sort the whole task (ties shuffled).
        bucket_by_length (bool, optional): bucket by length also with fixed
            batch sizes (less padding, less random batches). Default: only
            under a token budget.
        drop_last (bool): drop each task's last incomplete batch
            (fixed-size batches only). Default False.
        num_samples_per_epoch (int, optional): draw this many samples per
            epoch, split over tasks in proportion to ``task_weights`` (or
            the data set's ``weights``; default: task sizes), each task's
            share drawn without repetition until the task is exhausted.
            Default None: every sample once.
        task_weights (dict[str, float], optional): weights for
            ``num_samples_per_epoch``, overriding the data set's.
        round_up (bool): under distributed training, repeat the first
            batches of the plan to fill the last step rather than drop the
            last batches. Default False.
        shuffle (bool, optional): default: ``sampler.shuffle`` (True if it
            has none). Without shuffling the plan is: tasks in order, the
            samples of each in index order (or by length when bucketing).
        seed (int, optional): used when ``sampler`` has no ``seed``.

    Raises:
        ValueError: a task in ``task_batch_size`` / ``token_budget`` /
            ``task_weights`` that no data set provides (the message lists
            the available tasks); a token budget smaller than a task's
            longest sample (the message names the sample and its length);
            non-positive sizes; negative or all-zero weights.
    """

    def __init__(
        self,
        sampler: Sampler,
        batch_size: int,
        task_batch_size: Optional[Dict[str, int]] = None,
        token_budget: Optional[Union[int, Dict[str, int]]] = None,
        max_batch_size: Optional[int] = None,
        bucket_size: Optional[int] = None,
        bucket_by_length: Optional[bool] = None,
        drop_last: bool = False,
        num_samples_per_epoch: Optional[int] = None,
        task_weights: Optional[Dict[str, float]] = None,
        round_up: bool = False,
        shuffle: Optional[bool] = None,
        seed: Optional[int] = None,
    ) -> None:
        # no super().__init__: BatchSampler's only wants an int batch size
        if not hasattr(sampler, 'dataset'):
            raise TypeError(
                'TaskGroupedBatchSampler wraps a sampler with a '
                '`dataset` attribute (e.g. DefaultSampler), got '
                f'{type(sampler).__name__}'
            )
        self.sampler = sampler
        self.dataset = sampler.dataset
        self.batch_size = _positive_int(batch_size, 'batch_size')
        self.drop_last = bool(drop_last)
        self.round_up = bool(round_up)
        self.shuffle = bool(getattr(sampler, 'shuffle', True)) if shuffle is None else bool(shuffle)
        self._seed = seed
        self.rank, self.world_size = get_dist_info()

        view = _DatasetView(self.dataset)
        self._view = view
        self.tasks = list(view.tasks)

        self.task_batch_size = {}
        for task, size in (task_batch_size or {}).items():
            self._check_task(task, 'task_batch_size')
            self.task_batch_size[task] = _positive_int(size, f'task_batch_size[{task!r}]')
        self.max_batch_size = (
            None if max_batch_size is None else _positive_int(max_batch_size, 'max_batch_size')
        )

        if token_budget is None:
            budgets = {}
        elif isinstance(token_budget, dict):
            budgets = {}
            for task, budget in token_budget.items():
                self._check_task(task, 'token_budget')
                budgets[task] = _positive_int(budget, f'token_budget[{task!r}]')
        else:
            budgets = {t: _positive_int(token_budget, 'token_budget') for t in self.tasks}
        self.token_budget = budgets
        for task, budget in budgets.items():
            idx = view.task_indices[task]
            lens = view.lengths[idx]
            worst = int(np.argmax(lens))
            if lens[worst] > budget:
                raise ValueError(
                    f'token_budget {budget} of task {task!r} is smaller than '
                    f'its longest sample: sample {int(idx[worst])} has length '
                    f'{int(lens[worst])}; raise the budget to at least '
                    f'{int(lens[worst])} or drop that sample'
                )
        self.bucket_size = (
            None if bucket_size is None else _positive_int(bucket_size, 'bucket_size')
        )
        self.bucket_by_length = bucket_by_length

        self.num_samples_per_epoch = (
            None
            if num_samples_per_epoch is None
            else _positive_int(num_samples_per_epoch, 'num_samples_per_epoch')
        )
        if task_weights is not None and self.num_samples_per_epoch is None:
            raise ValueError(
                'task_weights only apply to a weighted draw: set '
                'num_samples_per_epoch too (a plain epoch visits '
                'every sample once)'
            )
        weights = task_weights if task_weights is not None else view.weights
        if weights is not None and self.num_samples_per_epoch is not None:
            if not isinstance(weights, dict):
                raise TypeError(f'task_weights must be a dict task -> weight, got {weights!r}')
            for task in weights:
                self._check_task(task, 'task_weights')
            weights = check_task_weights({t: weights.get(t, 0.0) for t in self.tasks})
        self.task_weights = weights
        self._cache_key = None
        self._cache: List[List[int]] = []

    # ------------------------------------------------------------- helpers
    def _check_task(self, task, where):
        if task not in self._view.task_indices:
            raise ValueError(
                f'{where} names task {task!r}, which no data set '
                f'provides; available tasks: {self.tasks}'
            )

    @property
    def seed(self) -> int:
        seed = getattr(self.sampler, 'seed', None)
        if seed is None:
            seed = self._seed if self._seed is not None else 0
        return int(seed)

    @property
    def epoch(self) -> int:
        return int(getattr(self.sampler, 'epoch', 0))

    def set_epoch(self, epoch: int) -> None:
        """Forward to the wrapped sampler (where the epoch lives)."""
        if hasattr(self.sampler, 'set_epoch'):
            self.sampler.set_epoch(epoch)
        else:
            self.sampler.epoch = epoch

    def _task_samples(self, rng) -> Dict[str, np.ndarray]:
        """Each task's samples of this epoch, in shuffled order."""
        view = self._view
        if self.num_samples_per_epoch is None:
            out = OrderedDict()
            for task, idx in view.task_indices.items():
                out[task] = rng.permutation(idx) if self.shuffle else idx.copy()
            return out
        weights = self.task_weights or {t: float(len(i)) for t, i in view.task_indices.items()}
        quotas = _split_by_weights(self.num_samples_per_epoch, [weights[t] for t in self.tasks])
        out = OrderedDict()
        for task, quota in zip(self.tasks, quotas):
            idx = view.task_indices[task]
            reps = -(-quota // len(idx))
            parts = [rng.permutation(idx) if self.shuffle else idx for _ in range(reps)]
            out[task] = np.concatenate(parts)[:quota] if parts else np.zeros(0, np.int64)
        return out

    def _bucket(self, order: np.ndarray) -> np.ndarray:
        """Sort ``order`` by length (stable: ties keep their shuffled
        order), in chunks of ``bucket_size`` if set."""
        lens = self._view.lengths[order]
        if self.bucket_size is None:
            return order[np.argsort(lens, kind='stable')]
        parts = []
        for start in range(0, len(order), self.bucket_size):
            chunk = order[start : start + self.bucket_size]
            parts.append(chunk[np.argsort(lens[start : start + self.bucket_size], kind='stable')])
        return np.concatenate(parts) if parts else order

    def _batches_of(self, task: str, order: np.ndarray) -> List[List[int]]:
        cap = self.task_batch_size.get(task)
        budget = self.token_budget.get(task)
        if budget is None:
            size = cap or self.batch_size
            if self.bucket_by_length:
                order = self._bucket(order)
            batches = [order[i : i + size].tolist() for i in range(0, len(order), size)]
            if self.drop_last and batches and len(batches[-1]) < size:
                batches.pop()
            return batches
        if self.bucket_by_length is not False:
            order = self._bucket(order)
        caps = [c for c in (cap, self.max_batch_size) if c is not None]
        cap = min(caps) if caps else None
        lengths = self._view.lengths
        batches, current, longest = [], [], 0
        for idx in order.tolist():
            n_len = max(longest, int(lengths[idx]), 1)
            full = cap is not None and len(current) >= cap
            if current and (full or (len(current) + 1) * n_len > budget):
                batches.append(current)
                current, n_len = [], max(int(lengths[idx]), 1)
            current.append(idx)
            longest = n_len
        if current:
            batches.append(current)
        return batches

    def global_plan(self, epoch: Optional[int] = None) -> List[List[int]]:
        """All batches of ``epoch`` (default: the sampler's), before they
        are dealt to ranks: identical on every rank."""
        epoch = self.epoch if epoch is None else int(epoch)
        rng = np.random.default_rng([self.seed & 0xFFFFFFFF, epoch])
        batches: List[List[int]] = []
        for task, order in self._task_samples(rng).items():
            batches += self._batches_of(task, order)
        if self.shuffle and batches:
            batches = [batches[i] for i in rng.permutation(len(batches))]
        return batches

    def _rank_batches(self) -> List[List[int]]:
        key = (self.seed, self.epoch, self.rank, self.world_size)
        if key != self._cache_key:
            plan = self.global_plan()
            world = self.world_size
            if world > 1:
                if self.round_up and len(plan) % world:
                    extra = world - len(plan) % world
                    plan = plan + [plan[i % len(plan)] for i in range(extra)]
                else:
                    plan = plan[: len(plan) - len(plan) % world]
            self._cache = plan[self.rank :: world]
            self._cache_key = key
        return self._cache

    # ------------------------------------------------------------ protocol
    def __iter__(self) -> Iterator[List[int]]:
        for batch in self._rank_batches():
            yield list(batch)

    def __len__(self) -> int:
        """Batches of this rank in the current epoch (plan cached)."""
        return len(self._rank_batches())

    def __repr__(self):
        sizes = {t: self.task_batch_size.get(t, self.batch_size) for t in self.tasks}
        how = f'token_budget={self.token_budget}' if self.token_budget else f'batch sizes {sizes}'
        return (
            f'{type(self).__name__}({len(self.tasks)} tasks, {how}, '
            f'rank {self.rank}/{self.world_size})'
        )


def _positive_int(value, name) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f'{name} must be a positive int, got {value!r}')
    return int(value)


def _split_by_weights(total: int, weights: List[float]) -> List[int]:
    """``total`` split in proportion to ``weights`` (largest remainders)."""
    w = np.asarray(weights, dtype=np.float64)
    exact = total * w / w.sum()
    counts = np.floor(exact).astype(np.int64)
    short = total - int(counts.sum())
    if short:
        order = np.argsort(-(exact - counts), kind='stable')
        counts[order[:short]] += 1
    return counts.tolist()


__all__ = ['TaskGroupedBatchSampler']
