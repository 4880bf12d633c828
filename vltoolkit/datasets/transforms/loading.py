"""Load an image file with errors that name the file and the record."""
import os.path as osp

import mmcv
import numpy as np
from mmcv.transforms import BaseTransform

from vltoolkit.registry import TRANSFORMS


@TRANSFORMS.register_module()
class LoadImage(BaseTransform):
    """Read ``results['img_path']`` into ``results['img']`` (RGB uint8).

    Adds ``ori_shape`` and ``img_shape`` ((h, w)). A missing file raises
    ``FileNotFoundError`` and an unreadable one ``ValueError``, both naming
    the file and the sample index and saying what to check.
    """

    def transform(self, results: dict) -> dict:
        path = results['img_path']
        where = f"(sample {results.get('sample_idx', '?')})"
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'image {path} {where} does not exist: check `data_root` and '
                '`data_prefix` in the dataset config, or re-run the data '
                'preparation command of docs/datasets/.')
        with open(path, 'rb') as f:
            content = f.read()
        try:
            img = mmcv.imfrombytes(content, flag='color', channel_order='rgb')
        except Exception as err:  # cv2/pillow raise many types
            reason = ' '.join(str(err).split())
            raise ValueError(f'image {path} {where} is corrupted or not an '
                             f'image: decoding failed ({reason})') from err
        if img is None:
            raise ValueError(f'image {path} {where} is corrupted or not an '
                             f'image: decoding {len(content)} bytes failed')
        results['img'] = np.ascontiguousarray(img)
        results['ori_shape'] = results['img_shape'] = img.shape[:2]
        return results
