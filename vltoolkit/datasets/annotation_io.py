"""Reading annotation files with errors that name the file, record and key."""
import json
import os.path as osp

from vltoolkit.structures import clip_boxes, xywh_to_xyxy

__all__ = ['AnnotationError', 'load_json_file', 'coco_box_to_xyxy', 'clean_text', 'read_id_list']


class AnnotationError(ValueError):
    """A malformed record in an annotation file (names file, record, fix)."""


def load_json_file(path: str, what: str, how_to_get: str = ''):
    """``json.load`` with a ``FileNotFoundError`` / ``ValueError`` naming
    ``what`` (e.g. ``'COCO captions file'``) and how to get the file."""
    if not osp.isfile(path):
        hint = f': {how_to_get}' if how_to_get else ''
        raise FileNotFoundError(f'{what} {path} does not exist{hint}')
    try:
        with open(path, encoding='utf-8') as f:
            return json.load(f)
    except ValueError as err:
        raise ValueError(f'{what} {path} is not valid JSON: {err}') from None


def clean_text(text) -> str:
    """Whitespace collapsed to single spaces, ends stripped (``None`` and
    non-strings give ``''``)."""
    return ' '.join(text.split()) if isinstance(text, str) else ''


def coco_box_to_xyxy(bbox, where: str, size=None):
    """A COCO ``[x, y, w, h]`` as ``[x1, y1, x2, y2]`` (``x2 = x + w``, no +1),
    clipped to ``size = (width, height)`` when given.

    Raises:
        AnnotationError: ``bbox`` is not 4 finite numbers with ``w, h >= 0``
            (``where`` names the file and record).
    """
    try:
        x, y, w, h = (float(v) for v in bbox)
    except (TypeError, ValueError):
        raise AnnotationError(f'{where}: bbox {bbox!r} is not [x, y, w, h] '
                              '(4 numbers)') from None
    if not all(v == v and abs(v) != float('inf') for v in (x, y, w, h)) \
            or w < 0 or h < 0:
        raise AnnotationError(f'{where}: bbox {bbox!r} needs finite values and '
                              'w, h >= 0 ([x, y, w, h] in pixels)')
    box = xywh_to_xyxy([x, y, w, h])
    if size is not None and size[0] and size[1]:
        box = clip_boxes(box, (float(size[0]), float(size[1])))
    return box[0].tolist()


def read_id_list(path: str, split=None, what: str = 'split file') -> set:
    """Image ids from a JSON list, a JSON dict ``split -> list`` (DenseCap's
    ``densecap_splits.json``) or a text file with one id per line."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'{what} {path} does not exist')
    if path.endswith('.json'):
        data = load_json_file(path, what)
        if isinstance(data, dict):
            if split is None or split not in data:
                raise ValueError(f'{what} {path} maps splits to image ids; '
                                 f'choose split= one of {sorted(data)}')
            data = data[split]
        if not isinstance(data, list):
            raise ValueError(f'{what} {path} must hold a list of image ids or '
                             'a dict split -> list')
        ids = data
    else:
        with open(path, encoding='utf-8') as f:
            ids = [line.strip() for line in f if line.strip()]
    try:
        return {int(i) for i in ids}
    except (TypeError, ValueError):
        raise ValueError(f'{what} {path} holds a non-integer image id') from None
