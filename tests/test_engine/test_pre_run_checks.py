"""Mistakes found before the first iteration (issue 14, points 5-7)."""

import logging

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.evaluator import BaseMetric
from mmengine.hooks import Hook
from PIL import Image

from vltoolkit.engine import build_runner
from vltoolkit.engine.hooks import PreRunCheckError
from vltoolkit.engine.runner import ConfigError, unique_experiment_name
from vltoolkit.evaluation.metrics import VQAAccuracy
from vltoolkit.registry import DATASETS, HOOKS, METRICS, MODELS

from . import test_checkpoint_match_hook  # noqa: F401  (registers _WidthModel)


@DATASETS.register_module(name='_ImagePathSet', force=True)
class ImagePathSet(torch.utils.data.Dataset):
    """Records with an ``img_path`` and a ``task``; items are indices."""

    metainfo = dict()

    def __init__(self, root, names, task='vqa'):
        self.infos = [dict(img_path=f'{root}/{n}', task=task) for n in names]

    def __len__(self):
        return len(self.infos)

    def get_data_info(self, i):
        return dict(self.infos[i])

    def __getitem__(self, i):
        return dict(inputs=i)


@METRICS.register_module(name='_TaskCountMetric', force=True)
class TaskCountMetric(BaseMetric):
    def __init__(self, tasks=None, **kwargs):
        super().__init__(**kwargs)
        self.tasks = tasks

    def process(self, data_batch, data_samples):
        self.results.extend(data_samples)

    def compute_metrics(self, results):
        return dict(n=len(results))


@HOOKS.register_module(name='_CountTrainIters', force=True)
class CountTrainIters(Hook):
    iters = 0

    def after_train_iter(self, runner, **kwargs):
        CountTrainIters.iters += 1


def _images(root, names):
    for name in names:
        Image.fromarray(np.zeros((4, 4, 3), np.uint8)).save(root / name)


def _cfg(tmp_path, train_names=('a.png', 'b.png'), val_names=('a.png',), tasks=None, **extra):
    def loader(names):
        return dict(
            dataset=dict(type='_ImagePathSet', root=str(tmp_path), names=list(names)),
            sampler=dict(type='DefaultSampler', shuffle=False),
            batch_size=2,
            num_workers=0,
            collate_fn=dict(type='pseudo_collate'),
        )

    cfg = Config(
        dict(
            model=dict(type='_WidthModel'),
            work_dir=str(tmp_path / 'work'),
            default_scope='vltoolkit',
            train_dataloader=loader(train_names),
            val_dataloader=loader(val_names),
            val_cfg=dict(),
            val_evaluator=dict(type='_TaskCountMetric', tasks=tasks),
            train_cfg=dict(type='ResumableEpochBasedTrainLoop', max_epochs=1, val_interval=1),
            optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01)),
            default_hooks=dict(logger=dict(type='LoggerHook', interval=1000)),
            custom_hooks=[dict(type='_CountTrainIters')],
            log_level='WARNING',
            **extra,
        )
    )
    cfg.experiment_name = unique_experiment_name(cfg)
    return cfg


def test_missing_image_files_stop_the_run_before_its_first_iteration(tmp_path):
    _images(tmp_path, ['a.png'])
    CountTrainIters.iters = 0
    runner = build_runner(_cfg(tmp_path, train_names=['a.png'], val_names=['a.png', 'gone.png']))
    with pytest.raises(
        PreRunCheckError,
        match=r'(?s)1 image file\(s\) of the val split '
        r'do not exist:.*gone\.png.*check_image_files=False',
    ):
        runner.train()
    assert CountTrainIters.iters == 0


def test_the_file_scan_can_be_switched_off(tmp_path):
    _images(tmp_path, ['a.png'])
    CountTrainIters.iters = 0
    build_runner(_cfg(tmp_path, train_names=['a.png', 'gone.png'], check_image_files=False)).train()
    assert CountTrainIters.iters == 1  # the items are indices: nothing is read


def test_metric_tasks_unknown_to_the_dataset_stop_the_run(tmp_path):
    _images(tmp_path, ['a.png', 'b.png'])
    runner = build_runner(_cfg(tmp_path, tasks=['grounding']))
    with pytest.raises(
        PreRunCheckError,
        match=r"TaskCountMetric\(tasks=\['grounding'\]\) "
        r"of the val evaluator: \['grounding'\] match no sample .* "
        r"tasks are \['vqa'\]",
    ):
        runner.train()


def test_a_misspelled_checkpoint_hook_key_fails_when_the_config_is_read(tmp_path):
    _images(tmp_path, ['a.png', 'b.png'])
    cfg = _cfg(tmp_path)
    cfg.default_hooks['checkpoint'] = dict(type='CheckpointHook', intervl=1)
    with pytest.raises(
        ConfigError,
        match=r"default_hooks\.checkpoint\.intervl: "
        r"CheckpointHook has no argument 'intervl' \(did you mean interval\?\)",
    ):
        build_runner(cfg)


def test_loop_counts_must_be_whole_numbers(tmp_path):
    cfg = _cfg(tmp_path)
    cfg.merge_from_dict({'train_cfg.max_epochs': 'abc'})
    with pytest.raises(ConfigError, match=r"train_cfg\.max_epochs='abc'.*whole number"):
        build_runner(cfg)


def test_a_wrong_keyword_names_the_config_key(tmp_path):
    cfg = _cfg(tmp_path)
    cfg.model['widht'] = 3
    with pytest.raises(
        ConfigError,
        match=r"model\.widht: WidthModel has no argument "
        r"'widht' \(did you mean width\?\)",
    ):
        build_runner(cfg)


def test_resume_without_a_checkpoint_says_it_starts_from_scratch(tmp_path):
    _images(tmp_path, ['a.png', 'b.png'])
    cfg = _cfg(tmp_path, resume=True)
    runner = build_runner(cfg)
    log = next((tmp_path / 'work').glob('*/*.log')).read_text()
    assert 'no checkpoint to resume from in' in log and 'starting from scratch' in log
    runner.train()
    assert 'resumed from None' not in next((tmp_path / 'work').glob('*/*.log')).read_text()


def test_a_metric_whose_tasks_match_nothing_warns_naming_the_tasks_seen(monkeypatch):
    import mmengine.logging

    said = []
    monkeypatch.setattr(
        mmengine.logging,
        'print_log',
        lambda msg, logger=None, level=None: said.append((level, msg)),
    )
    metric = VQAAccuracy(answers=['yes', 'no'], tasks=['vqa'])
    metric.process(None, [dict(task='caption', pred_answer='yes', gt_answers=['yes'] * 10)])
    metric.compute_metrics(metric.results)
    assert (
        logging.WARNING,
        "VQAAccuracy(tasks=['vqa']) scored no sample: the evaluated "
        "samples have tasks ['caption']; fix `tasks=`",
    ) in said


@MODELS.register_module(name='_SizedVLM', force=True)
class SizedVLM(test_checkpoint_match_hook.WidthModel):
    """A model that, like a pretrained VLM, refuses images of another size
    than its processor's (``image_settings['size']``, ``check_image_size``)."""

    def __init__(self, size=(96, 96), check_image_size=True):
        super().__init__()
        self.image_settings = dict(size=size)
        self.check_image_size = check_image_size


@DATASETS.register_module(name='_ResizedSet', force=True)
class ResizedSet(ImagePathSet):
    """An ImagePathSet whose pipeline resizes to ``scale`` (w, h)."""

    def __init__(self, root, names, scale=(64, 64)):
        from mmengine.dataset import Compose

        super().__init__(root, names)
        self.pipeline = Compose([dict(type='ResizeImageAndBoxes', scale=scale)])


def _sized_cfg(tmp_path, size, scale, **model):
    _images(tmp_path, ['a.png', 'b.png'])
    cfg = _cfg(tmp_path, vlm_img_scale=scale)
    cfg.model = dict(type='_SizedVLM', size=size, **model)
    cfg.train_dataloader.dataset = dict(
        type='_ResizedSet', root=str(tmp_path), names=['a.png', 'b.png'], scale=scale
    )
    return cfg


def test_a_vlm_image_size_mismatch_names_vlm_img_scale_before_the_first_step(tmp_path):
    CountTrainIters.iters = 0
    runner = build_runner(_sized_cfg(tmp_path, size=(96, 128), scale=(64, 64)))
    with pytest.raises(
        PreRunCheckError,
        match=r'_?SizedVLM expects images of \(h, w\) = \(96, 128\).*train pipeline resizes '
        r'them to \(h, w\) = \(64, 64\).*vlm_img_scale = \(128, 96\)',
    ):
        runner.train()
    assert CountTrainIters.iters == 0


def test_a_matching_or_unchecked_vlm_image_size_runs(tmp_path):
    CountTrainIters.iters = 0
    build_runner(_sized_cfg(tmp_path, size=(64, 32), scale=(32, 64))).train()
    assert CountTrainIters.iters == 1
    build_runner(
        _sized_cfg(tmp_path, size=(96, 96), scale=(64, 64), check_image_size=False)
    ).train()
    assert CountTrainIters.iters == 2


def test_more_ranks_than_training_samples_stop_the_run(tmp_path, monkeypatch):
    from mmengine.runner import Runner

    _images(tmp_path, ['a.png', 'b.png'])
    CountTrainIters.iters = 0
    runner = build_runner(_cfg(tmp_path))
    monkeypatch.setattr(Runner, 'world_size', property(lambda self: 3))  # as under torchrun
    with pytest.raises(
        PreRunCheckError,
        match=r'train split has 2 sample\(s\) for 3 ranks.*dist_train\.sh CONFIG 2',
    ):
        runner.train()
    assert CountTrainIters.iters == 0
