"""Read an inference image given as a path, an array or a PIL image."""

import os.path as osp
from typing import TYPE_CHECKING, Optional, Tuple, Union

import numpy as np

if TYPE_CHECKING:
    from os import PathLike

    from PIL import Image

#: what the inferencer reads as an image: a path, an RGB array or a PIL image
ImageInput = Union[str, 'PathLike', np.ndarray, 'Image.Image']


def read_image(
    image: ImageInput, where: str = 'input', max_pixels: Optional[int] = None
) -> Tuple[np.ndarray, str]:
    """Return ``(RGB uint8 array [H, W, 3], a name for it)``.

    Accepts a file path, an ``[H, W, 3]`` / ``[H, W]`` array (RGB, uint8 or
    floats in 0..255) or a PIL image. An unreadable input raises an error
    that names it (``where``) and what was wrong. A file above the pixel
    cap (:mod:`vltoolkit.utils.image_limits`, ``max_pixels``) is refused
    from its header, before it is decoded.
    """
    if isinstance(image, (str, bytes)) or hasattr(image, '__fspath__'):
        import mmcv

        path = str(image)
        if not osp.isfile(path):
            raise FileNotFoundError(f'{where}: image {path} does not exist')
        from vltoolkit.utils.image_limits import check_image_pixels

        check_image_pixels(path, f'{where}: image {path}', max_pixels)
        try:
            img = mmcv.imread(path, channel_order='rgb')
        except Exception as err:  # cv2 / pillow raise many types
            raise ValueError(
                f'{where}: image {path} is not an image or is corrupted: decoding failed '
                f'({" ".join(str(err).split())})'
            ) from err
        if img is None:
            raise ValueError(
                f'{where}: image {path} is not an image or is corrupted (decoding failed)'
            )
        return np.ascontiguousarray(img), path
    if hasattr(image, 'convert') and hasattr(image, 'size'):  # PIL
        from vltoolkit.utils.image_limits import ImageTooLargeError, max_image_pixels

        cap, (w, h) = max_image_pixels(max_pixels), getattr(image, 'size')
        if cap is not None and w * h > cap:  # a lazily opened PIL image: not decoded yet
            raise ImageTooLargeError(
                f'{where}: the image is {w}x{h}, above the cap of {cap / 1e6:.1f} M pixels'
            )
        return np.ascontiguousarray(np.asarray(image.convert('RGB'))), getattr(
            image, 'filename', ''
        ) or '<PIL image>'
    if isinstance(image, np.ndarray):
        arr = image
        if arr.ndim == 2:
            arr = np.repeat(arr[..., None], 3, axis=2)
        if arr.ndim != 3 or arr.shape[2] not in (3, 4) or 0 in arr.shape[:2]:
            raise ValueError(
                f'{where}: an image array must be [H, W, 3] (RGB), got shape {image.shape}'
            )
        if arr.dtype != np.uint8:
            arr = np.clip(arr, 0, 255).astype(np.uint8)
        return np.ascontiguousarray(arr[..., :3]), '<array>'
    raise TypeError(
        f'{where}: an image must be a path, an RGB array or a PIL image, got {type(image).__name__}'
    )
