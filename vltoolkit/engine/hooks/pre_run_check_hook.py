"""Checks of the built data and metrics, before the first iteration."""

import os.path as osp
from typing import Iterable, List, Optional, Set, Tuple

from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.runner import BaseLoop

from vltoolkit.registry import HOOKS


class PreRunCheckError(ValueError):
    """Something that would fail (or silently score nothing) later in the
    run, found before its first iteration."""


def _dataset_infos(dataset) -> Iterable[dict]:
    """The data infos of an mmengine-style dataset (none for a dataset
    without ``get_data_info``: nothing to check)."""
    get_data_info = getattr(dataset, 'get_data_info', None)
    if get_data_info is None:
        return
    for i in range(len(dataset)):
        yield get_data_info(i)


def _built_loops(runner):
    for name in ('train', 'val', 'test'):
        loop = getattr(runner, f'_{name}_loop', None)
        if isinstance(loop, BaseLoop) and hasattr(loop, 'dataloader'):
            yield name, loop


def missing_image_files(dataset, split: str, progress: bool = True) -> List[str]:
    """The distinct ``img_path`` values of ``dataset`` that are not files
    (datasets without ``img_path``, e.g. feature sets, have none)."""
    paths = {
        info['img_path']
        for info in _dataset_infos(dataset)
        if isinstance(info, dict) and info.get('img_path')
    }
    items = sorted(paths)
    if progress and items and is_main_process():
        from vltoolkit.utils.progress import track

        items = track(items, description=f'checking {split} image files')
    return [p for p in items if not osp.isfile(p)]


def dataset_tasks(dataset) -> Set[str]:
    """The ``task`` values of the samples of ``dataset``."""
    return {info.get('task') for info in _dataset_infos(dataset) if isinstance(info, dict)} - {None}


def expected_image_size(model) -> Optional[Tuple[int, int]]:
    """``(h, w)`` the model refuses other image sizes than, or None.

    A pretrained VLM reads its processor's size from the pretrained folder
    (``image_settings['size']``) and, with ``check_image_size=True`` (its
    default), refuses any other at its first step; other models take any
    size."""
    if is_model_wrapper(model):
        model = model.module
    if not getattr(model, 'check_image_size', False):
        return None
    size = (getattr(model, 'image_settings', None) or {}).get('size')
    return (int(size[0]), int(size[1])) if size else None


def pipeline_image_size(dataset) -> Optional[Tuple[int, int]]:
    """``(h, w)`` the dataset's pipeline resizes images to (its last
    ``ResizeImageAndBoxes``), or None when it has none."""
    transforms = getattr(getattr(dataset, 'pipeline', None), 'transforms', None) or []
    sizes = [t.scale for t in transforms if type(t).__name__ == 'ResizeImageAndBoxes']
    if not sizes:
        return None
    w, h = sizes[-1]
    return int(h), int(w)


@HOOKS.register_module()
class PreRunCheckHook(Hook):
    """Fail before the first iteration instead of hours into a run.

    At ``before_run`` (the datasets, loops and metrics are built; nothing
    trained or evaluated yet), for each split the run uses:

    - ``check_image_files``: every ``img_path`` of the train / val / test
      datasets exists (an ``os.path.isfile`` scan with a progress bar);
      otherwise :class:`PreRunCheckError` naming the missing files. Off with
      the top-level config key ``check_image_files=False``.
    - the ``tasks=`` of every val / test metric are tasks of its dataset;
      otherwise :class:`PreRunCheckError` naming the tasks the data has (a
      metric whose tasks match no sample would score nothing).
    - a pretrained VLM's expected image size (its processor's) is the size
      the pipeline resizes to; otherwise :class:`PreRunCheckError` naming
      ``vlm_img_scale``, the key the recipes read (the model would refuse
      the batch at the first step).
    - under distributed training, the train split has at least one sample
      per rank; otherwise :class:`PreRunCheckError` (the sampler would fill
      the ranks by repeating samples, silently).

    Every rank runs the checks (they are cheap), so every rank stops
    together. :func:`~vltoolkit.engine.build_runner` adds the hook; hook
    arguments and generation settings are checked earlier, when the config
    is read (:mod:`vltoolkit.engine.runner.pre_run`) and the model built.
    """

    priority = 'VERY_HIGH'

    def __init__(self, check_image_files: bool = True, max_listed: int = 10):
        self.check_image_files = bool(check_image_files)
        self.max_listed = max_listed

    def before_run(self, runner) -> None:
        expected = expected_image_size(getattr(runner, "model", None))
        for split, loop in _built_loops(runner):
            dataset = loop.dataloader.dataset
            if expected is not None:
                self._check_image_size(expected, dataset, split, runner)
            if split == 'train':
                self._check_world_size(dataset, runner.world_size)
            if self.check_image_files:
                self._check_files(dataset, split)
            evaluator = getattr(loop, 'evaluator', None)
            if evaluator is not None:
                self._check_metric_tasks(evaluator, dataset, split)

    @staticmethod
    def _check_image_size(expected, dataset, split: str, runner) -> None:
        resized = pipeline_image_size(dataset)
        if resized is None or resized == expected:
            return
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        h, w = expected
        key = 'vlm_img_scale' if 'vlm_img_scale' in runner.cfg else 'img_scale'
        raise PreRunCheckError(
            f'{type(model).__name__} expects images of (h, w) = {expected} (its '
            f"processor's size), but the {split} pipeline resizes them to (h, w) = "
            f'{resized} (ResizeImageAndBoxes scale=({resized[1]}, {resized[0]})). Set '
            f'{key} = ({w}, {h}) in the config (or --cfg-options "{key}=({w}, {h})"), '
            'the key the recipe reads, or check_image_size=False in the model.'
        )

    @staticmethod
    def _check_world_size(dataset, world_size: int) -> None:
        n = len(dataset)
        if world_size > 1 and n < world_size:
            raise PreRunCheckError(
                f'the train split has {n} sample(s) for {world_size} ranks: '
                f'{world_size - n} rank(s) would train on repeated samples. Train on at '
                f'most {n} rank(s) (tools/dist_train.sh CONFIG {max(n, 1)}) or on more data.'
            )

    def _check_files(self, dataset, split: str) -> None:
        missing = missing_image_files(dataset, split)
        if missing:
            shown = '\n  '.join(missing[: self.max_listed])
            more = (
                f'\n  ... {len(missing) - self.max_listed} more'
                if len(missing) > self.max_listed
                else ''
            )
            raise PreRunCheckError(
                f'{len(missing)} image file(s) of the {split} split do not '
                f'exist:\n  {shown}{more}\nCheck `data_root` and `data_prefix` '
                'of the dataset config (or prepare the data, docs/datasets/); '
                'check_image_files=False skips this check.'
            )

    @staticmethod
    def _check_metric_tasks(
        evaluator, dataset, split: str, tasks: Optional[Set[str]] = None
    ) -> None:
        for metric in getattr(evaluator, 'metrics', []):
            wanted = getattr(metric, 'tasks', None)
            if not wanted:
                continue
            tasks = dataset_tasks(dataset) if tasks is None else tasks
            unknown = sorted(set(wanted) - tasks)
            if unknown and tasks:  # no task field at all: nothing to compare
                raise PreRunCheckError(
                    f'{type(metric).__name__}(tasks={list(wanted)}) of the '
                    f'{split} evaluator: {unknown} match no sample of the {split} '
                    f'dataset, whose tasks are {sorted(tasks)}; fix `tasks=` '
                    f'of the metric (or the dataset\'s `task=`).'
                )
