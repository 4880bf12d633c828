"""Several task data sets behind one index, every sample knowing its task.

The multi-task HOI study trains one model on many tasks (pre-training, region captioning,
categorization, captioning, VQA, grounding, HOI). Each task keeps its own
data set config and pipeline (prompt template included);
:class:`MultiTaskDataset` concatenates them and exposes, without loading a
single image, what a task-grouped batch sampler needs: the task of every
sample (:meth:`MultiTaskDataset.task_of`, :attr:`MultiTaskDataset.task_indices`)
and an estimate of its token cost (:meth:`MultiTaskDataset.length_of`).
"""

import bisect
import copy
import re
from collections import OrderedDict
from typing import Callable, Dict, List, Optional, Sequence, Union

import numpy as np
from mmengine.logging import print_log
from torch.utils.data import Dataset

from vltoolkit.compat.empty_dataset import is_empty_data_list_error
from vltoolkit.registry import DATASETS

#: Data-info fields whose text is counted by the default length estimate.
DEFAULT_LENGTH_KEYS = (
    'prompt',
    'target_text',
    'question',
    'answer',
    'caption',
    'expression',
    'text',
)

# a location / special token such as <loc_40> or <bin_7> is one token;
# otherwise a run of word characters or one punctuation character is one
# token (the word-level tokenizer isolates punctuation)
_TOKEN_RE = re.compile(r'<[^<>\s]+>|\w+|[^\w\s]')


def estimate_num_tokens(text: str, special_tokens: int = 2) -> int:
    """Tokens of ``text`` for a word-level tokenizer, without a tokenizer.

    Counts location tokens (``<loc_40>``) as one token each, every run of
    word characters as one token and every punctuation character as one
    token, plus ``special_tokens`` (``<s> ... </s>``) for a non-empty text.
    ``'hold, eat'`` -> 3 + 2 = 5. A subword tokenizer gives more tokens:
    pass a ``length_key`` callable to :class:`MultiTaskDataset` for that.
    """
    if not text:
        return 0
    return len(_TOKEN_RE.findall(str(text))) + special_tokens


def _make_length_fn(spec) -> Callable[[dict], int]:
    """A ``data_info -> int`` function from a ``length_key`` spec."""
    if spec is None:
        spec = DEFAULT_LENGTH_KEYS
    if callable(spec):
        return spec
    keys = (spec,) if isinstance(spec, str) else tuple(spec)
    for key in keys:
        if not isinstance(key, str):
            raise TypeError(
                'length_key must be None, a data-info key, a list '
                f'of keys or a callable, got {spec!r}'
            )

    def length(info: dict) -> int:
        total = 0
        for key in keys:
            value = info.get(key)
            if value is None:
                continue
            if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
                total += int(value)
            elif isinstance(value, str):
                total += estimate_num_tokens(value)
            elif isinstance(value, (list, tuple)):
                total += sum(estimate_num_tokens(v) for v in value if isinstance(v, str))
        return total

    return length


def _plain(value):
    """A comparable form of a metainfo value (lists vs tuples vs arrays)."""
    if isinstance(value, np.ndarray):
        return ('__array__', value.tolist())
    if isinstance(value, (list, tuple)):
        return tuple(_plain(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), _plain(v)) for k, v in value.items()))
    return value


@DATASETS.register_module()
class MultiTaskDataset(Dataset):
    """Concatenate task data sets; every sample knows its task.

    Args:
        datasets (list[dict | Dataset]): the task data sets, each a DATASETS
            config with its own ``pipeline`` (and prompt template inside it),
            or a built data set. Several data sets may share a task name
            (their samples then form one task).
        tasks (list[str], optional): the task name of each data set, in
            the order of ``datasets``. Default: the ``task`` field of each
            sample's data info (``HOIRelationDataset``, ``RefCOCODataset``
            and the toy sets write it), else the data set's ``task``
            attribute. A sample whose task cannot be found raises
            ``ValueError``. Explicit names override the data infos, also in
            what the pipeline and ``data_samples.metainfo['task']`` see.
        weights (list[float] | dict[str, float], optional): sampling weight
            of each task (a list in :attr:`tasks` order, or a dict task ->
            weight; tasks left out of a dict weigh 0). Used by
            ``TaskGroupedBatchSampler(num_samples_per_epoch=...)``; a plain
            epoch ignores them and visits every sample once. Negative or
            all-zero weights raise ``ValueError``.
        length_key (None | str | list[str] | callable | dict): how
            :meth:`length_of` estimates a sample's token cost from its data
            info (no image is loaded, no pipeline is run):

            - ``None``: the sum of :func:`estimate_num_tokens` over the text
              fields in :data:`DEFAULT_LENGTH_KEYS` present in the info
              (``prompt``, ``target_text``, ``question``, ``answer``,
              ``caption``, ``expression``, ``text``). Text written later by
              the pipeline (a prompt template) is not seen: within a task it
              adds about the same to every sample.
            - a key or list of keys: an ``int`` value counts as is (e.g. a
              precomputed ``num_tokens``), a string is estimated.
            - a callable ``data_info -> int``.
            - a dict task -> one of the above, for per-task rules (tasks
              not in it use the default).
        metainfo (dict, optional): keys set on top of the merged metainfo.
        lazy_init (bool): defer building the data sets to :meth:`full_init`
            (the Runner calls it). Default False.

    Metainfo: the keys that all data sets holding them agree on, plus
    ``tasks`` (the task names) and ``task_metainfo`` (task -> the metainfo
    of its first data set); a key on which data sets disagree lives in
    ``task_metainfo`` only (it is logged).

    Each data info (and so each packed ``data_samples.metainfo``) has
    ``task``, ``sample_idx`` (the global index), ``dataset_idx`` (which
    data set) and ``local_sample_idx`` (the index within it).

    Config::

        dataset = dict(
            type='MultiTaskDataset',
            datasets=[
                dict(type='HOIRelationDataset', task='hoi', ...,
                     pipeline=hoi_pipeline),
                dict(type='RefCOCODataset', task='grounding', ...,
                     pipeline=grounding_pipeline),
            ],
            weights=dict(hoi=1, grounding=2))
    """

    def __init__(
        self,
        datasets: Sequence[Union[dict, Dataset]],
        tasks: Optional[Sequence[str]] = None,
        weights: Optional[Union[Sequence[float], Dict[str, float]]] = None,
        length_key=None,
        metainfo: Optional[dict] = None,
        lazy_init: bool = False,
    ):
        if isinstance(datasets, (dict, Dataset)) or not len(datasets):
            raise ValueError(
                f'MultiTaskDataset needs a non-empty list of data set configs, got {datasets!r}'
            )
        if tasks is not None:
            if isinstance(tasks, str) or len(tasks) != len(datasets):
                raise ValueError(
                    f'tasks={tasks!r} must name one task per data set ({len(datasets)} data sets)'
                )
            for name in tasks:
                if not isinstance(name, str) or not name:
                    raise ValueError(
                        f'task names must be non-empty strings, '
                        f'got {name!r} in tasks={list(tasks)!r}'
                    )
        self._dataset_cfgs = list(datasets)
        self._explicit_tasks = list(tasks) if tasks is not None else None
        self._weights_arg = weights
        self._length_key = length_key
        self._metainfo_arg = dict(metainfo or {})
        self._fully_initialized = False
        self.datasets: List[Dataset] = []
        if not lazy_init:
            self.full_init()

    # ---------------------------------------------------------------- set-up
    def full_init(self):
        """Build the data sets, find every sample's task, check tasks and
        weights, and estimate every sample's length (one pass over the
        data infos; no image is read)."""
        if self._fully_initialized:
            return
        self.datasets = []
        for i, cfg in enumerate(self._dataset_cfgs):
            try:
                ds = DATASETS.build(cfg) if isinstance(cfg, dict) else cfg
                if hasattr(ds, 'full_init'):
                    ds.full_init()
            except ValueError as err:
                if not is_empty_data_list_error(err):
                    raise
                raise ValueError(self._no_samples(i, None)) from err
            self.datasets.append(ds)
        self.cumulative_sizes = np.cumsum([len(d) for d in self.datasets]).tolist()
        self._scan()
        self.weights = self._check_weights(self._weights_arg)
        self._metainfo = self._merge_metainfo()
        self._fully_initialized = True

    def _describe(self, i):
        cfg = self._dataset_cfgs[i]
        kind = cfg.get('type') if isinstance(cfg, dict) else type(cfg).__name__
        if not isinstance(kind, str):
            kind = getattr(kind, '__name__', str(kind))
        return f'datasets[{i}] ({kind})'

    def _no_samples(self, i, task):
        if task is None:
            cfg = self._dataset_cfgs[i]
            task = (
                self._explicit_tasks[i]
                if self._explicit_tasks is not None
                else cfg.get('task')
                if isinstance(cfg, dict)
                else getattr(cfg, 'task', None)
            )
        name = f'task {task!r}' if task else 'its task'
        return (
            f'{self._describe(i)} has no samples, so {name} has none: '
            'check its ann_file / split / filters, or drop it from '
            'MultiTaskDataset.datasets'
        )

    def _scan(self):
        task_names: List[str] = []
        sample_tasks: List[int] = []
        lengths: List[int] = []
        length_fns = {}
        for i, ds in enumerate(self.datasets):
            explicit = self._explicit_tasks[i] if self._explicit_tasks is not None else None
            declared = explicit or getattr(ds, 'task', None)
            if len(ds) == 0:
                raise ValueError(self._no_samples(i, declared))
            if explicit is not None and explicit not in task_names:
                task_names.append(explicit)
            for local in range(len(ds)):
                info = self._sub_info(ds, local)
                task = explicit or info.get('task') or declared
                if not isinstance(task, str) or not task:
                    raise ValueError(
                        f'sample {local} of {self._describe(i)} has no task: its '
                        "data info has no 'task' field and the data set no "
                        '`task` attribute; name the task of each data set '
                        'with MultiTaskDataset(tasks=[...])'
                    )
                if task not in length_fns:
                    length_fns[task] = self._length_fn(task)
                if task not in task_names:
                    task_names.append(task)
                sample_tasks.append(task_names.index(task))
                info['task'] = task
                lengths.append(int(length_fns[task](info)))
        counts = np.bincount(sample_tasks, minlength=len(task_names))
        empty = [t for t, c in zip(task_names, counts) if c == 0]
        if empty:
            raise ValueError(
                f'task(s) {empty} have no samples in '
                'MultiTaskDataset; drop them or fix their data sets'
            )
        self.tasks: List[str] = task_names
        self._task_ids = np.asarray(sample_tasks, dtype=np.int64)
        self._lengths = np.asarray(lengths, dtype=np.int64)
        bad = np.flatnonzero(self._lengths < 0)
        if len(bad):
            raise ValueError(
                f'length_key gave a negative length {self._lengths[bad[0]]} for sample {bad[0]}'
            )
        self.task_indices: Dict[str, List[int]] = OrderedDict(
            (t, np.flatnonzero(self._task_ids == k).tolist()) for k, t in enumerate(task_names)
        )

    def _length_fn(self, task):
        spec = self._length_key
        if isinstance(spec, dict):
            spec = spec.get(task)
        return _make_length_fn(spec)

    def _check_weights(self, weights) -> Optional[Dict[str, float]]:
        if weights is None:
            return None
        if isinstance(weights, dict):
            unknown = sorted(set(weights) - set(self.tasks))
            if unknown:
                raise ValueError(
                    f'weights name task(s) {unknown} that no data '
                    f'set provides; available tasks: {self.tasks}'
                )
            values = {t: weights.get(t, 0.0) for t in self.tasks}
        else:
            weights = list(weights)
            if len(weights) != len(self.tasks):
                raise ValueError(
                    f'weights {weights} must give one weight per '
                    f'task, in the order {self.tasks} (or use a '
                    'dict task -> weight)'
                )
            values = dict(zip(self.tasks, weights))
        return check_task_weights(values)

    def _merge_metainfo(self) -> dict:
        per_task: Dict[str, dict] = OrderedDict()
        merged, conflicts = {}, set()
        for ds in self.datasets:
            meta = dict(getattr(ds, 'metainfo', None) or {})
            for key, value in meta.items():
                if key in conflicts:
                    continue
                if key in merged and _plain(merged[key]) != _plain(value):
                    conflicts.add(key)
                    merged.pop(key)
                else:
                    merged.setdefault(key, value)
        for k, task in enumerate(self.tasks):
            first = int(np.flatnonzero(self._task_ids == k)[0])
            ds_idx = bisect.bisect_right(self.cumulative_sizes, first)
            per_task[task] = dict(getattr(self.datasets[ds_idx], 'metainfo', None) or {})
        if conflicts:
            print_log(
                f'MultiTaskDataset: metainfo key(s) {sorted(conflicts)} '
                'differ between data sets; read them from '
                "metainfo['task_metainfo'][task]",
                logger='current',
            )
        merged = copy.deepcopy(merged)
        merged['tasks'] = list(self.tasks)
        merged['task_metainfo'] = per_task
        merged.update(self._metainfo_arg)
        return merged

    # ----------------------------------------------------------------- index
    @property
    def metainfo(self) -> dict:
        self.full_init()
        return copy.deepcopy(self._metainfo)

    def __len__(self) -> int:
        self.full_init()
        return self.cumulative_sizes[-1]

    def _locate(self, idx: int):
        n = len(self)
        if idx < 0:
            idx += n
        if not 0 <= idx < n:
            raise IndexError(f'index {idx} out of range for MultiTaskDataset of {n} samples')
        ds_idx = bisect.bisect_right(self.cumulative_sizes, idx)
        local = idx - (self.cumulative_sizes[ds_idx - 1] if ds_idx else 0)
        return idx, ds_idx, local

    def task_of(self, idx: int) -> str:
        """The task of global sample ``idx`` (no data is loaded)."""
        idx, _, _ = self._locate(int(idx))
        return self.tasks[self._task_ids[idx]]

    def length_of(self, idx: int) -> int:
        """The estimated token cost of sample ``idx`` (see ``length_key``);
        precomputed, so cheap."""
        idx, _, _ = self._locate(int(idx))
        return int(self._lengths[idx])

    @property
    def lengths(self) -> np.ndarray:
        """``[N]`` int64: :meth:`length_of` of every sample (a copy)."""
        self.full_init()
        return self._lengths.copy()

    @property
    def sample_tasks(self) -> List[str]:
        """The task of every sample, in index order."""
        self.full_init()
        return [self.tasks[k] for k in self._task_ids]

    def dataset_of(self, idx: int):
        """``(dataset_idx, local_idx)`` of global sample ``idx``."""
        _, ds_idx, local = self._locate(int(idx))
        return ds_idx, local

    @staticmethod
    def _sub_info(ds, local) -> dict:
        if hasattr(ds, 'get_data_info'):
            return dict(ds.get_data_info(local))
        return {}

    def get_data_info(self, idx: int) -> dict:
        """The data info of global sample ``idx`` with ``task``,
        ``sample_idx`` (global), ``dataset_idx`` and ``local_sample_idx``."""
        idx, ds_idx, local = self._locate(int(idx))
        info = self._sub_info(self.datasets[ds_idx], local)
        info.update(
            task=self.tasks[self._task_ids[idx]],
            sample_idx=idx,
            dataset_idx=ds_idx,
            local_sample_idx=local,
        )
        return info

    def __getitem__(self, idx: int):
        """Run sample ``idx`` through its own data set's pipeline.

        With an mmengine ``BaseDataset`` (``pipeline`` + ``get_data_info``)
        the pipeline sees :meth:`get_data_info`'s info; as in ``BaseDataset``
        a training pipeline returning ``None`` is retried (up to the data
        set's ``max_refetch``) on another sample *of the same data set*, so
        the batch keeps one task. Other data sets are indexed directly and
        their ``data_samples`` get ``task`` in their metainfo.
        """
        idx, ds_idx, local = self._locate(int(idx))
        ds = self.datasets[ds_idx]
        if not (hasattr(ds, 'pipeline') and hasattr(ds, 'get_data_info')):
            return self._tag(ds[local], idx)
        if getattr(ds, 'test_mode', False):
            data = ds.pipeline(self.get_data_info(idx))
            if data is None:
                raise RuntimeError(
                    f'the test pipeline of {self._describe(ds_idx)} returned None for sample {idx}'
                )
            return self._tag(data, idx)
        start = self.cumulative_sizes[ds_idx - 1] if ds_idx else 0
        tries = getattr(ds, 'max_refetch', 1000) + 1
        for _ in range(tries):
            data = ds.pipeline(self.get_data_info(idx))
            if data is not None:
                return self._tag(data, idx)
            idx = start + int(np.random.randint(0, len(ds)))
        raise RuntimeError(
            f'the pipeline of {self._describe(ds_idx)} returned '
            f'None {tries} times in a row; check its transforms'
        )

    def _tag(self, data, idx):
        """Make sure the packed sample carries its task."""
        task = self.tasks[self._task_ids[idx]]
        if isinstance(data, dict):
            sample = data.get('data_samples')
            if sample is not None and hasattr(sample, 'set_metainfo'):
                sample.set_metainfo(dict(task=task))
        return data

    def __repr__(self):
        if not self._fully_initialized:
            return f'{type(self).__name__}(not initialised, {len(self._dataset_cfgs)} data sets)'
        counts = ', '.join(f'{t}: {len(v)}' for t, v in self.task_indices.items())
        return f'{type(self).__name__}({len(self)} samples; {counts})'


def check_task_weights(weights: Dict[str, float]) -> Dict[str, float]:
    """Validate task -> weight: finite, non-negative, not all zero."""
    values = {}
    for task, w in weights.items():
        try:
            w = float(w)
        except (TypeError, ValueError):
            raise ValueError(f'weight of task {task!r} is {w!r}, not a number')
        if not np.isfinite(w):
            raise ValueError(f'weight of task {task!r} is {w}, not finite')
        values[task] = w
    negative = {t: w for t, w in values.items() if w < 0}
    if negative:
        raise ValueError(f'task weights must be >= 0; negative: {negative}')
    if not any(w > 0 for w in values.values()):
        raise ValueError(
            f'task weights are all zero ({values}): at least one task needs a positive weight'
        )
    return values
