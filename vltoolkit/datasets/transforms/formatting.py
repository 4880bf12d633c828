"""Pack a transformed sample into model inputs and a VLDataSample."""

import numpy as np
import torch
from mmcv.transforms import BaseTransform

from vltoolkit.registry import TRANSFORMS
from vltoolkit.structures import VLDataSample


def pack_sample(results: dict, meta_keys, data_keys) -> VLDataSample:
    """A :class:`VLDataSample` with the ``meta_keys`` and ``data_keys`` found
    in ``results`` (the typed fields check their values)."""
    sample = VLDataSample(metainfo={k: results[k] for k in meta_keys if k in results})
    for key in data_keys:
        if key in results:
            setattr(sample, key, results[key])
    return sample


@TRANSFORMS.register_module()
class PackVLInputs(BaseTransform):
    """Return ``dict(inputs=..., data_samples=VLDataSample)``.

    ``inputs`` holds ``image`` (uint8 ``[3, H, W]``), ``input_ids`` and,
    when present, ``labels`` and ``number_places``. The sample carries the meta keys and the data
    keys (``prompt``, ``target_text``, ``gt_bboxes``, ``gt_relations``, ...)
    found in the results.
    """

    def __init__(
        self,
        meta_keys=('img_path', 'ori_shape', 'img_shape', 'scale_factor', 'task', 'sample_idx'),
        data_keys=('prompt', 'target_text', 'gt_bboxes', 'gt_answer_bboxes', 'gt_relations'),
    ):
        self.meta_keys = meta_keys
        self.data_keys = data_keys

    def transform(self, results: dict) -> dict:
        inputs = {}
        if 'img' in results:
            img = np.ascontiguousarray(results['img'].transpose(2, 0, 1))
            inputs['image'] = torch.from_numpy(img)
        for key in ('input_ids', 'labels', 'number_places'):
            if key in results:
                inputs[key] = results[key]
        return dict(
            inputs=inputs, data_samples=pack_sample(results, self.meta_keys, self.data_keys)
        )
