"""Draw a V&L sample: boxes, prompt, target and prediction."""
import textwrap

import mmcv
import numpy as np
from mmengine.visualization import Visualizer

from vltoolkit.registry import VISUALIZERS


@VISUALIZERS.register_module()
class VLVisualizer(Visualizer):
    """mmengine ``Visualizer`` that knows :class:`VLDataSample`.

    :meth:`add_datasample` draws the sample's ``gt_bboxes`` (green) on the
    image and writes prompt, target and prediction under it.
    """

    def add_datasample(self, name: str, image: np.ndarray, data_sample,
                       out_file: str = None, step: int = 0) -> np.ndarray:
        h, w = image.shape[:2]
        lines = []
        for key in ('prompt', 'target_text', 'pred_text'):
            if key in data_sample:
                lines += textwrap.wrap(f'{key}: {data_sample.get(key)}', 60)
        canvas = np.full((h + 14 * len(lines) + 6, max(w, 360), 3), 255, np.uint8)
        canvas[:h, :w] = image
        self.set_image(canvas)
        if 'gt_bboxes' in data_sample and len(data_sample.gt_bboxes):
            self.draw_bboxes(np.asarray(data_sample.gt_bboxes, np.float32),
                             edge_colors='g', line_widths=2)
        for i, line in enumerate(lines):
            self.draw_texts(line, np.array([3, h + 3 + 14 * i]), colors='k',
                            font_sizes=9)
        drawn = self.get_image()
        if out_file is not None:
            mmcv.imwrite(drawn[..., ::-1], out_file)
        else:
            self.add_image(name, drawn, step)
        return drawn
