"""Reading fields of evaluated samples, shared by the metrics."""

from typing import Any, Sequence, Union

from mmengine.evaluator import BaseMetric
from mmengine.structures import BaseDataElement


def sample_field(sample: Union[dict, BaseDataElement], key: str, default: Any = KeyError) -> Any:
    """``sample[key]`` of a dict or a data element; meta keys included.

    mmengine's Evaluator hands metrics ``to_dict()``-ed samples (meta and
    data keys side by side); a ``metainfo`` sub-dict is searched too.
    Without ``default`` a missing key raises ``ValueError`` naming it.
    """
    if isinstance(sample, BaseDataElement):
        if key in sample:
            return getattr(sample, key)
    elif isinstance(sample, dict):
        if key in sample:
            return sample[key]
        meta = sample.get('metainfo')
        if isinstance(meta, dict) and key in meta:
            return meta[key]
    if default is KeyError:
        fields = list(sample.keys()) if hasattr(sample, 'keys') else []
        raise ValueError(
            f'data sample has no {key!r} field (fields: {", ".join(map(str, fields))})'
        )
    return default


def keeps_task(metric: BaseMetric, sample: Union[dict, BaseDataElement]) -> bool:
    """Whether ``metric.tasks`` (``None``: every task) covers the sample's
    ``task``; the tasks of the samples left out are remembered for
    :func:`warn_if_no_task_matched`."""
    tasks = getattr(metric, 'tasks', None)
    task = sample_field(sample, 'task', None)
    if tasks is None or task in tasks:
        return True
    metric.__dict__.setdefault('_tasks_left_out', set()).add(task)
    return False


#: What ``process`` appends for a sample its ``tasks=`` leaves out (not
#: ``None``: mmengine's ``collect_results`` drops ``None`` entries before
#: it cuts the list at the data set's size).
LEFT_OUT = 'left out by tasks='


def scored(results: list) -> list:
    """The results of the samples a metric scored (its ``LEFT_OUT``
    placeholders dropped).

    A metric with ``tasks=`` appends :data:`LEFT_OUT` for every other sample
    instead of nothing, so that its result list stays aligned with the
    evaluated samples: on ``N`` ranks mmengine's ``collect_results(results,
    size)`` interleaves the ranks' lists and cuts them at the data set's
    size, which drops the samples the sampler repeated to even out the
    ranks only when every sample left an entry. (Skipping them kept the
    repeated samples: a 2-rank test of the toy HOI set scored 32 relation
    questions where the set has 31.)
    """
    return [r for r in results if not (isinstance(r, str) and r == LEFT_OUT)]


def warn_if_no_task_matched(metric: BaseMetric, results: Sequence) -> None:
    """Warn, naming the tasks that were seen, when ``tasks=`` kept no
    sample (the values would be those of an empty set). The pre-run check
    (``PreRunCheckHook``) refuses such a metric before a run starts; this
    warning covers metrics used without a Runner."""
    tasks = getattr(metric, 'tasks', None)
    if tasks is None or results:
        return
    from mmengine.logging import print_log

    seen = sorted(map(str, metric.__dict__.get('_tasks_left_out', ())))
    print_log(
        f'{type(metric).__name__}(tasks={list(tasks)}) scored no sample: '
        f'the evaluated samples have tasks {seen}; fix `tasks=`',
        logger='current',
        level=30,
    )
