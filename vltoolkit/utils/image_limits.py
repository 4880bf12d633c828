"""A cap on image pixels, read from the file header before decoding.

A 20000x20000 PNG is a few hundred kB on disk and 1.2 GB once decoded (RGB
uint8; more in the decoder's buffers), so a single bad file in a data set,
an ``infer.py`` input or a web-demo upload can take a machine's memory.
:func:`check_image_pixels` opens the file with PIL, which reads only the
header (``Image.open`` is lazy: the size is known before any pixel is
decoded), and refuses an image above the cap with a message naming the
file, its size and how to raise the cap.

The cap: :data:`DEFAULT_MAX_PIXELS` (8192 x 8192 = 67.1 M pixels, about
200 MB decoded), or the environment variable ``VLT_MAX_IMAGE_PIXELS``
(``0`` turns the check off), or a ``max_pixels=`` argument
(``LoadImage(max_pixels=...)`` in a pipeline, ``read_image(...,
max_pixels=...)``).
"""

import os
import warnings
from typing import Optional, Tuple

__all__ = [
    'DEFAULT_MAX_PIXELS',
    'ENV_VAR',
    'ImageTooLargeError',
    'max_image_pixels',
    'check_image_pixels',
]

DEFAULT_MAX_PIXELS = 8192 * 8192
ENV_VAR = 'VLT_MAX_IMAGE_PIXELS'


class ImageTooLargeError(ValueError):
    """An image has more pixels than the cap."""


def max_image_pixels(value: Optional[int] = None) -> Optional[int]:
    """The cap in pixels (None: no cap): ``value`` if given, else
    ``$VLT_MAX_IMAGE_PIXELS``, else :data:`DEFAULT_MAX_PIXELS`; 0 or a
    negative number means no cap."""
    if value is None:
        env = os.environ.get(ENV_VAR, '').strip()
        if env:
            try:
                value = int(float(env))
            except ValueError:
                raise ValueError(
                    f'{ENV_VAR}={env!r}: give a number of pixels, e.g. {DEFAULT_MAX_PIXELS} '
                    '(0 turns the check off)'
                ) from None
        else:
            value = DEFAULT_MAX_PIXELS
    return int(value) if value and value > 0 else None


def check_image_pixels(
    source, where: str = 'image', max_pixels: Optional[int] = None
) -> Optional[Tuple[int, int]]:
    """``(width, height)`` from the header of ``source`` (a path or a binary
    file object), or None when PIL cannot read the header (the decoder
    reports that file itself). Raises :class:`ImageTooLargeError` above the
    cap (:func:`max_image_pixels`), before any pixel is decoded."""
    from PIL import Image

    cap = max_image_pixels(max_pixels)
    if cap is None:
        return None
    fix = (
        f'shrink it, or raise the cap (LoadImage(max_pixels=...) in the pipeline, '
        f'or the environment variable {ENV_VAR}=N; 0 turns the check off)'
    )
    try:
        with warnings.catch_warnings():  # PIL warns above 89 M pixels; we decide here
            warnings.simplefilter('ignore', Image.DecompressionBombWarning)
            with Image.open(source) as img:  # reads the header only
                width, height = img.size
    except Image.DecompressionBombError as err:
        raise ImageTooLargeError(f'{where} is too large to decode ({err}); {fix}') from None
    except Exception:  # not an image PIL knows: the decoder says what is wrong
        return None
    if width * height > cap:
        raise ImageTooLargeError(
            f'{where} is {width}x{height} = {width * height / 1e6:.1f} M pixels, above the '
            f'cap of {cap / 1e6:.1f} M pixels (about {width * height * 3 / 2**30:.1f} GiB '
            f'decoded); {fix}'
        )
    return width, height
