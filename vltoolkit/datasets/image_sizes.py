"""Give annotation records the ``width`` / ``height`` of their images.

``LoadImage`` checks the decoded size of an image against its record's
``width`` / ``height``, which stops a sample whose image is not the one its
boxes were drawn on (a thumbnail, a 2x export, another file under the same
name). Records without a size cannot be checked: QPIC's HOIA files (V-COCO)
have none. :func:`add_image_sizes` writes them from the image headers (PIL
reads the header only: nothing is decoded), once, when the images are known
to be the annotated ones; every later run is then checked against them.

``tools/data/add_image_sizes.py`` is its command line.
"""

import logging
import os.path as osp
import warnings
from typing import Callable, List, Optional, Tuple

from mmengine.logging import print_log

__all__ = ['ImageSizeError', 'read_image_size', 'add_image_sizes', 'warn_missing_sizes']

#: EXIF orientations that turn an image by 90 or 270 degrees when decoded
_TURNING = (5, 6, 7, 8)


class ImageSizeError(ValueError):
    """Images missing or unreadable, or sizes that differ from the records'."""


def read_image_size(path: str) -> Tuple[int, int, bool]:
    """``(width, height, turned)`` from the header of ``path``: the stored
    size, and whether an EXIF orientation tag turns the image by 90 / 270
    degrees when it is decoded (the decoded size is then ``height x
    width``)."""
    from PIL import Image

    with warnings.catch_warnings():  # the header of a huge image is fine to read
        warnings.simplefilter('ignore', Image.DecompressionBombWarning)
        with Image.open(path) as img:
            width, height = img.size
            orientation = img.getexif().get(0x0112, 1)
    return int(width), int(height), orientation in _TURNING


def warn_missing_sizes(source: str, records: list, fix: str = '') -> int:
    """Warn (once per load) when image records of ``source`` lack ``width`` /
    ``height``: their decoded size cannot be checked against the boxes. The
    warning names ``tools/data/add_image_sizes.py`` (and ``fix``, another
    way to get the sizes). Returns the number of such records."""
    unsized = sum(
        1
        for rec in records
        if not (isinstance(rec, dict) and rec.get('width') and rec.get('height'))
    )
    if unsized:
        print_log(
            f'{source}: {unsized} of {len(records)} image records lack width / height, so '
            'their decoded size cannot be checked against the boxes (an image of another '
            'size would shift every box). Add them from the image headers with `python '
            f'tools/data/add_image_sizes.py {source} --img-dir IMAGE_FOLDER --out FILE`'
            + (f', or {fix}' if fix else ''),
            logger='current',
            level=logging.WARNING,
        )
    return unsized


def _image_records(data, source: str) -> list:
    if isinstance(data, list):
        return data  # HOIA: one record per image
    if isinstance(data, dict) and isinstance(data.get('images'), list):
        return data['images']  # COCO-style
    raise ImageSizeError(
        f'{source} holds neither a list of image records (HOIA) nor a COCO-style dict with "images"'
    )


def _boxes_outside(record: dict, width: int, height: int) -> List[int]:
    """Indices of the HOIA ``annotations`` whose ``[x1, y1, x2, y2]`` box
    leaves the image by more than a pixel."""
    out = []
    for j, ann in enumerate(record.get('annotations') or []):
        box = ann.get('bbox') if isinstance(ann, dict) else None
        if isinstance(box, (list, tuple)) and len(box) == 4:
            x1, y1, x2, y2 = box
            if x1 < -1 or y1 < -1 or x2 > width + 1 or y2 > height + 1:
                out.append(j)
    return out


def add_image_sizes(
    data,
    img_dir: str,
    source: str = 'annotation file',
    track: Optional[Callable] = None,
) -> dict:
    """Write ``width`` / ``height`` from the image headers into the image
    records of ``data`` (a HOIA list, or a COCO-style dict's ``images``)
    that lack them, in place; check those that have them.

    Args:
        data: the loaded annotation file.
        img_dir: the folder the records' ``file_name`` are relative to.
        source: the file, for the messages.
        track: ``track(iterable, total, description)``, e.g.
            :func:`vltoolkit.utils.progress.track` (a progress bar).

    Returns:
        dict: ``added`` (records given a size), ``checked`` (records whose
        size matched their image), ``turned`` (``(record, file)`` of images
        that an EXIF tag turns when decoded: ``LoadImage`` will refuse them
        until they are re-saved without it) and ``outside`` (``(record,
        file, [annotation indices])`` of boxes leaving their image: the
        image is probably not the annotated one).

    Raises:
        ImageSizeError: image files missing or unreadable, or records whose
            size differs from their image's, listed by record (nothing is
            changed then).
    """
    records = _image_records(data, source)
    sizes, problems = {}, []
    items = enumerate(records)
    if track is not None:
        items = track(items, len(records), 'reading image headers')
    for i, rec in items:
        if not isinstance(rec, dict) or not rec.get('file_name'):
            problems.append(f'record {i}: no file_name')
            continue
        path = osp.join(img_dir, rec['file_name'])
        if not osp.isfile(path):
            problems.append(f'record {i}: {path} does not exist')
            continue
        try:
            sizes[i] = read_image_size(path)
        except Exception as err:  # PIL raises many types for a bad header
            problems.append(f'record {i}: {path} is not a readable image ({err})')
            continue
        width, height, _ = sizes[i]
        if (
            rec.get('width')
            and rec.get('height')
            and (rec['width'], rec['height'])
            != (
                width,
                height,
            )
        ):
            problems.append(
                f'record {i}: {path} is {width}x{height} but the record says '
                f'{rec["width"]}x{rec["height"]}'
            )
    if problems:
        shown = '; '.join(problems[:5]) + (
            f'; and {len(problems) - 5} more' if len(problems) > 5 else ''
        )
        raise ImageSizeError(
            f'{source}: {len(problems)} of {len(records)} image records cannot be given '
            f'their size from {img_dir}: {shown}. Check --img-dir (the folder the '
            'file_name of each record is relative to); nothing was changed.'
        )
    report = dict(added=0, checked=0, turned=[], outside=[])
    for i, (width, height, turned) in sizes.items():
        rec = records[i]
        if rec.get('width') and rec.get('height'):
            report['checked'] += 1
        else:
            rec['width'], rec['height'] = width, height
            report['added'] += 1
        if turned:
            report['turned'].append((i, rec['file_name']))
        outside = _boxes_outside(rec, width, height)
        if outside:
            report['outside'].append((i, rec['file_name'], outside))
    return report
