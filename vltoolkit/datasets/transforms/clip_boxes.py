"""Check and clip boxes against their image."""

import numpy as np
from mmcv.transforms import BaseTransform
from mmengine.logging import print_log

from vltoolkit.registry import TRANSFORMS
from vltoolkit.structures import as_boxes, clip_boxes


@TRANSFORMS.register_module()
class ClipBoxesToImage(BaseTransform):
    """Clip ``results['gt_bboxes']`` (xyxy pixels) to the image.

    A box with ``x2 < x1`` or ``y2 < y1``, a NaN / infinite or non-numeric
    (e.g. string) coordinate, or lying entirely outside the image is
    malformed: ``ValueError`` naming the image, the sample and the box. (A
    box entirely outside is not dropped: its record is in another frame,
    so its other boxes cannot be trusted either, and an HOI pair without
    one of its boxes is another sample.) A box reaching partly outside the
    image is clipped to it (annotation tools often overshoot by a pixel);
    every clip is counted in :attr:`num_clipped` and logged as a warning
    with the running count.
    """

    num_clipped = 0  # over the process, across instances

    def transform(self, results: dict) -> dict:
        where = f"of {results.get('img_path')} (sample {results.get('sample_idx', '?')})"
        raw = results.get('gt_bboxes')
        raw = np.asarray([] if raw is None else raw)
        if raw.size and raw.dtype.kind not in 'iuf':
            raise ValueError(
                f'boxes {raw.tolist()} {where} are not numbers '
                f'({raw.dtype}); write coordinates as numbers'
            )
        boxes = as_boxes(raw)
        h, w = results['img_shape'][:2]
        finite = np.isfinite(boxes).all(axis=1)
        if not finite.all():
            raise ValueError(
                f'box {boxes[~finite][0].tolist()} {where} has a NaN '
                'or infinite coordinate; fix or drop the annotation.'
            )
        bad = (boxes[:, 2] < boxes[:, 0]) | (boxes[:, 3] < boxes[:, 1])
        if bad.any():
            raise ValueError(
                f'box {boxes[bad][0].tolist()} {where} has x2 < x1 or '
                'y2 < y1; fix the annotation (boxes are [x1, y1, x2, y2]).'
            )
        outside = (boxes[:, 0] >= w) | (boxes[:, 1] >= h) | (boxes[:, 2] <= 0) | (boxes[:, 3] <= 0)
        if outside.any():
            raise ValueError(
                f'box {boxes[outside][0].tolist()} {where} lies entirely outside '
                f'its {w}x{h} image: the record is for another image or another '
                'resolution; fix it or remove the record.'
            )
        clipped = clip_boxes(boxes, (w, h))
        changed = (clipped != boxes).any(axis=1)
        if changed.any():
            ClipBoxesToImage.num_clipped += int(changed.sum())
            print_log(
                f"clipped {int(changed.sum())} box(es) of "
                f"{results.get('img_path')} to its {w}x{h} image "
                f'({ClipBoxesToImage.num_clipped} clipped so far)',
                logger='current',
                level=30,
            )
        results['gt_bboxes'] = clipped
        return results
