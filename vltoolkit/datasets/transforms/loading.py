"""Load an image file with errors that name the file and the record."""

import os.path as osp
from typing import Optional

import mmcv
import numpy as np
from mmcv.transforms import BaseTransform

from vltoolkit.registry import TRANSFORMS
from vltoolkit.utils.image_limits import check_image_pixels


@TRANSFORMS.register_module()
class LoadImage(BaseTransform):
    """Read ``results['img_path']`` into ``results['img']`` (RGB uint8).

    Adds ``ori_shape`` and ``img_shape`` ((h, w)). A missing file raises
    ``FileNotFoundError`` and an unreadable one ``ValueError``, both naming
    the file and the sample index and saying what to check.

    When the record gives ``width`` and ``height`` (COCO-style records do),
    the decoded image must have that size, else ``ValueError`` naming the
    image and both sizes. The boxes of such a record are in the record's
    pixel frame; an image decoded at another size (a thumbnail, a
    placeholder, an EXIF orientation tag turning it by 90 degrees) would be
    trained on with boxes that point elsewhere. Rescaling the boxes is not
    safe (a rotation is not a scaling), so the record is refused.

    An image with more than ``max_pixels`` pixels is refused from its file
    header, before it is decoded (:mod:`vltoolkit.utils.image_limits`;
    default 8192 x 8192, or ``$VLT_MAX_IMAGE_PIXELS``; 0 turns it off).
    """

    def __init__(self, max_pixels: Optional[int] = None):
        super().__init__()
        self.max_pixels = max_pixels

    def transform(self, results: dict) -> dict:
        path = results['img_path']
        where = f"(sample {results.get('sample_idx', '?')})"
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'image {path} {where} does not exist: check `data_root` and '
                '`data_prefix` in the dataset config, or re-run the data '
                'preparation command of docs/datasets/.'
            )
        check_image_pixels(path, f'image {path} {where}', self.max_pixels)  # header only
        with open(path, 'rb') as f:
            content = f.read()
        try:
            img = mmcv.imfrombytes(content, flag='color', channel_order='rgb')
        except Exception as err:  # cv2/pillow raise many types
            reason = ' '.join(str(err).split())
            raise ValueError(
                f'image {path} {where} is corrupted or not an image: decoding failed ({reason})'
            ) from err
        if img is None:
            raise ValueError(
                f'image {path} {where} is corrupted or not an '
                f'image: decoding {len(content)} bytes failed'
            )
        _check_record_size(results, img.shape[:2], path, where)
        results['img'] = np.ascontiguousarray(img)
        results['ori_shape'] = results['img_shape'] = img.shape[:2]
        return results


def _check_record_size(results: dict, hw, path: str, where: str) -> None:
    width, height = results.get('width'), results.get('height')
    if not width or not height:
        return
    if (int(height), int(width)) != tuple(hw):
        turned = (int(height), int(width)) == tuple(hw)[::-1]
        why = (
            ' (the width and height are swapped: an EXIF orientation tag '
            'probably rotates it when decoded; re-save the image without '
            'the tag, e.g. `mogrify -auto-orient`, and fix the annotation)'
            if turned
            else ' (a different or truncated file?)'
        )
        raise ValueError(
            f'image {path} {where} decodes to {hw[1]}x{hw[0]} (width x height) '
            f'but its record says {width}x{height}{why}; its boxes are in the '
            "record's frame, so the sample is refused"
        )
