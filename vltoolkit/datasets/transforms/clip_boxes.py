"""Check and clip boxes against their image."""
from mmcv.transforms import BaseTransform
from mmengine.logging import print_log

from vltoolkit.registry import TRANSFORMS
from vltoolkit.structures import as_boxes, clip_boxes


@TRANSFORMS.register_module()
class ClipBoxesToImage(BaseTransform):
    """Clip ``results['gt_bboxes']`` (xyxy pixels) to the image.

    A box with ``x2 < x1`` or ``y2 < y1`` is malformed: ``ValueError`` naming
    the image and the box. A box reaching outside the image is clipped to
    it (annotation tools often overshoot by a pixel); every clip is counted
    in :attr:`num_clipped` and logged as a warning with the running count.
    """

    num_clipped = 0  # over the process, across instances

    def transform(self, results: dict) -> dict:
        boxes = as_boxes(results.get('gt_bboxes'))
        h, w = results['img_shape'][:2]
        bad = (boxes[:, 2] < boxes[:, 0]) | (boxes[:, 3] < boxes[:, 1])
        if bad.any():
            raise ValueError(
                f"box {boxes[bad][0].tolist()} of {results.get('img_path')} "
                f"(sample {results.get('sample_idx', '?')}) has x2 < x1 or "
                'y2 < y1; fix the annotation (boxes are [x1, y1, x2, y2]).')
        clipped = clip_boxes(boxes, (w, h))
        changed = (clipped != boxes).any(axis=1)
        if changed.any():
            ClipBoxesToImage.num_clipped += int(changed.sum())
            print_log(f"clipped {int(changed.sum())} box(es) of "
                      f"{results.get('img_path')} to its {w}x{h} image "
                      f'({ClipBoxesToImage.num_clipped} clipped so far)',
                      logger='current', level=30)
        results['gt_bboxes'] = clipped
        return results
