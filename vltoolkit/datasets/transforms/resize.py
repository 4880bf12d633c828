"""Resize an image to a fixed size, scaling its boxes."""

import mmcv
from mmcv.transforms import BaseTransform

from vltoolkit.registry import TRANSFORMS
from vltoolkit.structures import resize_boxes


@TRANSFORMS.register_module()
class ResizeImageAndBoxes(BaseTransform):
    """Resize ``img`` to ``scale`` = (w, h) without keeping the aspect ratio
    (OFA's RefCOCO convention), scaling ``gt_bboxes`` by the same factors.

    Sets ``img_shape`` ((h, w)) and ``scale_factor`` ((w_scale, h_scale)).
    """

    def __init__(self, scale, interpolation: str = 'bilinear'):
        self.scale = tuple(scale)
        self.interpolation = interpolation

    def transform(self, results: dict) -> dict:
        img = results['img']
        h, w = img.shape[:2]
        new_w, new_h = self.scale
        results['img'] = mmcv.imresize(img, (new_w, new_h), interpolation=self.interpolation)
        sx, sy = new_w / w, new_h / h
        if 'gt_bboxes' in results:
            results['gt_bboxes'] = resize_boxes(results['gt_bboxes'], (sx, sy))
        results['img_shape'] = (new_h, new_w)
        results['scale_factor'] = (sx, sy)
        return results
