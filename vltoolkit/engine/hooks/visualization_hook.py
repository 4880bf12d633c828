"""Save drawn predictions during testing (``tools/test.py --show-dir``)."""
import os.path as osp

import mmcv
from mmengine.hooks import Hook

from vltoolkit.registry import HOOKS, VISUALIZERS


@HOOKS.register_module()
class VLVisualizationHook(Hook):
    """After each test iteration, draw every sample (resized image, boxes,
    prompt, target, prediction) into ``show_dir`` (relative paths are under
    the run's log dir) as ``{image stem}_{sample_idx}.png``."""

    def __init__(self, show_dir: str = 'vis', max_samples: int = None):
        self.show_dir = show_dir
        self.max_samples = max_samples
        self._count = 0

    def before_test(self, runner) -> None:
        if not osp.isabs(self.show_dir):
            self.show_dir = osp.join(runner.log_dir, self.show_dir)
        self.visualizer = VISUALIZERS.build(
            dict(type='VLVisualizer', name=f'vis_{runner.experiment_name}'))

    def after_test_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        for sample in outputs or []:
            if self.max_samples is not None and self._count >= self.max_samples:
                return
            img = mmcv.imread(sample.img_path, channel_order='rgb')
            if 'img_shape' in sample.metainfo:
                h, w = sample.img_shape
                img = mmcv.imresize(img, (w, h))
            stem = osp.splitext(osp.basename(sample.img_path))[0]
            self.visualizer.add_datasample(
                stem, img, sample, out_file=osp.join(
                    self.show_dir, f"{stem}_{sample.metainfo.get('sample_idx', 0)}.png"))
            self._count += 1
