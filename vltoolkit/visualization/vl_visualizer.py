"""Draw a V&L sample: ground-truth and predicted boxes, prompt, target,
prediction and whether the prediction is right."""

import textwrap
from typing import List, Optional, Sequence

import mmcv
import numpy as np
from mmengine.visualization import Visualizer

from vltoolkit.registry import VISUALIZERS

#: RGB colours: ground truth, prediction, and the right / wrong banner
GT_COLOR = (0, 200, 0)
PRED_COLOR = (230, 0, 0)
RIGHT_COLOR = (0, 160, 0)
WRONG_COLOR = (200, 0, 0)


def _as_boxes(boxes) -> np.ndarray:
    if boxes is None:
        return np.zeros((0, 4), np.float32)
    if hasattr(boxes, 'detach'):
        boxes = boxes.detach().cpu().numpy()
    return np.asarray(boxes, np.float32).reshape(-1, 4)


@VISUALIZERS.register_module()
class VLVisualizer(Visualizer):
    """mmengine ``Visualizer`` that knows :class:`VLDataSample`.

    :meth:`add_datasample` draws ground-truth boxes in green
    (:data:`GT_COLOR`) and predicted boxes in red (:data:`PRED_COLOR`, each
    labelled with its phrase), then writes the prompt, target and prediction
    under the image, and a ``RIGHT`` / ``WRONG`` banner when a verdict is
    given. Small images are scaled up to ``min_side`` pixels (boxes with
    them) so the text stays legible.
    """

    def add_datasample(
        self,
        name: str,
        image: np.ndarray,
        data_sample,
        out_file: str = None,
        step: int = 0,
        gt_boxes=None,
        pred_boxes: Optional[List[dict]] = None,
        verdict: Optional[dict] = None,
        min_side: int = 320,
        extra_lines: Sequence[str] = (),
    ) -> np.ndarray:
        """Draw one sample.

        Args:
            image: RGB ``[H, W, 3]``; boxes are in its pixels.
            data_sample: a ``VLDataSample`` (or dict) with ``prompt``,
                ``target_text``, ``pred_text`` (each drawn when present).
            gt_boxes: ``[K, 4]`` xyxy; default ``data_sample.gt_bboxes``.
            pred_boxes: ``[dict(phrase, box)]`` (see
                :func:`vltoolkit.apis.boxes_with_phrases`).
            verdict: ``dict(right=bool | None, detail=str)``.
        """
        get = (
            data_sample.get
            if hasattr(data_sample, 'get')
            else lambda k, d=None: getattr(data_sample, k, d)
        )
        if gt_boxes is None:
            gt_boxes = get('gt_bboxes', None)
        gt = _as_boxes(gt_boxes)
        preds = list(pred_boxes or [])
        h, w = image.shape[:2]
        zoom = max(1.0, min_side / max(1, min(h, w)))
        if zoom > 1:
            image = mmcv.imresize(
                image, (round(w * zoom), round(h * zoom)), interpolation='nearest'
            )
            h, w = image.shape[:2]
        lines = []
        if verdict is not None and verdict.get('right') is not None:
            word = 'RIGHT' if verdict['right'] else 'WRONG'
            lines.append(f"{word} {verdict.get('detail', '')}".strip())
        for key in ('prompt', 'target_text', 'pred_text'):
            if get(key, None) is not None:
                lines += textwrap.wrap(f"{key}: {get(key)}", max(40, max(w, 420) // 7)) or [
                    f'{key}:'
                ]
        for line in extra_lines:
            lines += textwrap.wrap(line, max(40, max(w, 420) // 7))
        canvas = np.full((h + 15 * len(lines) + 8, max(w, 420), 3), 255, np.uint8)
        canvas[:h, :w] = image
        self.set_image(canvas)
        if len(gt):
            self.draw_bboxes(gt * zoom, edge_colors=[GT_COLOR], line_widths=3)
        if preds:
            self.draw_bboxes(
                np.array([p['box'] for p in preds], np.float32) * zoom,
                edge_colors=[PRED_COLOR],
                line_widths=3,
            )
            for p in preds:
                if p.get('phrase'):
                    x1, y1 = np.asarray(p['box'][:2], np.float32) * zoom
                    self.draw_texts(
                        p['phrase'], np.array([x1 + 3, y1 + 3]), colors=[PRED_COLOR], font_sizes=10
                    )
        for i, line in enumerate(lines):
            color = 'k'
            if i == 0 and verdict is not None and verdict.get('right') is not None:
                color = [RIGHT_COLOR if verdict['right'] else WRONG_COLOR]
            self.draw_texts(line, np.array([4, h + 4 + 15 * i]), colors=color, font_sizes=9)
        drawn = self.get_image()
        if out_file is not None:
            mmcv.imwrite(drawn[..., ::-1], out_file)
        else:
            self.add_image(name, drawn, step)
        return drawn
