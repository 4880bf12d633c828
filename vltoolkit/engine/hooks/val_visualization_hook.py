"""A few drawn predictions per validation, sent to the experiment trackers."""

import os.path as osp

import mmcv
from mmengine.hooks import Hook

from vltoolkit.registry import HOOKS


@HOOKS.register_module()
class ValVisualizationHook(Hook):
    """Draw the first ``num_samples`` samples of every validation (image,
    ground-truth boxes, prompt, target, prediction) with the run's
    visualizer, as images named ``val/{image stem}_{sample_idx}`` at the
    current epoch: TensorBoard's Images tab, W&B / MLflow media, and
    ``vis_data/vis_image/`` of the local backend. On in the default runtime
    (``default_hooks.val_visualization``); samples without an ``img_path``
    (feature-only recipes such as MCN retrieval) are skipped.

    Test-time drawing into files is :class:`VLVisualizationHook`
    (``tools/test.py --show-dir``).
    """

    priority = 'LOW'

    def __init__(self, num_samples: int = 4):
        self.num_samples = num_samples
        self._drawn = 0

    def before_val_epoch(self, runner) -> None:
        self._drawn = 0

    def after_val_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        drawer = runner.visualizer
        if self._drawn >= self.num_samples or not hasattr(drawer, 'add_datasample'):
            return
        for sample in outputs or []:
            if self._drawn >= self.num_samples:
                return
            path = sample.get('img_path') if hasattr(sample, 'get') else None
            if not path:
                continue
            img = mmcv.imread(path, channel_order='rgb')
            if 'img_shape' in sample.metainfo:  # boxes are in the resized image
                h, w = sample.metainfo['img_shape']
                img = mmcv.imresize(img, (w, h))
            stem = osp.splitext(osp.basename(path))[0]
            drawer.add_datasample(
                f"val/{stem}_{sample.metainfo.get('sample_idx', 0)}", img, sample, step=runner.epoch
            )
            self._drawn += 1
