"""Reading annotation files with errors that name the file, record and key."""

import json
import math
import os.path as osp

from vltoolkit.structures import clip_boxes, xywh_to_xyxy

__all__ = [
    'AnnotationError',
    'load_json_file',
    'check_xyxy_box',
    'coco_box_to_xyxy',
    'ZERO_AREA_CHOICES',
    'check_box_area',
    'refuse_duplicate',
    'clean_text',
    'read_id_list',
]


class AnnotationError(ValueError):
    """A malformed record in an annotation file (names file, record, fix)."""


def _describe(data) -> str:
    if isinstance(data, dict):
        keys = sorted(map(str, data))
        more = ', ...' if len(keys) > 6 else ''
        return f'a JSON object with keys {", ".join(keys[:6])}{more}'
    if isinstance(data, list):
        return f'a list of {len(data)} items'
    return f'a JSON {type(data).__name__}'


def _decode(raw: bytes, path: str, what: str) -> str:
    """UTF-8 text (a UTF-8 byte-order mark is accepted and dropped)."""
    if raw.startswith((b'\xff\xfe', b'\xfe\xff')):
        raise ValueError(
            f'{what} {path} is UTF-16 encoded: re-save it as UTF-8 '
            f'(e.g. `iconv -f UTF-16 -t UTF-8 {path} > fixed.json`)'
        )
    try:
        return raw.decode('utf-8-sig')
    except UnicodeDecodeError as err:
        raise ValueError(
            f'{what} {path} is not UTF-8 (byte {raw[err.start]:#04x} at offset '
            f'{err.start}): re-save it as UTF-8 (e.g. `iconv -f LATIN1 -t UTF-8 '
            f'{path} > fixed.json`)'
        ) from None


def load_json_file(
    path: str,
    what: str,
    how_to_get: str = '',
    expect: type = None,
    fix: str = '',
    allow_empty: bool = True,
):
    """``json.load`` with errors that name ``what`` (e.g. ``'COCO captions
    file'``), the file and the fix.

    Args:
        path: the JSON file.
        what: what the file is, for the messages.
        how_to_get: how to get or make the file (missing-file message).
        expect: ``list`` or ``dict``: the top-level type the loader reads.
        fix: how to turn a file of another layout into this one (e.g. the
            converter to run); said when ``expect`` does not hold.
        allow_empty: ``False`` refuses an empty list / object.

    Raises:
        FileNotFoundError: no such file.
        ValueError: not UTF-8 (a UTF-8 BOM is accepted), not valid JSON
            (truncated files are said to be), another top-level type, or
            empty when that is refused.
    """
    if not osp.isfile(path):
        hint = f': {how_to_get}' if how_to_get else ''
        raise FileNotFoundError(f'{what} {path} does not exist{hint}')
    with open(path, 'rb') as f:
        raw = f.read()
    text = _decode(raw, path, what)
    try:
        data = json.loads(text)
    except ValueError as err:
        truncated = getattr(err, 'pos', -1) >= len(text.rstrip()) > 0
        why = (
            ' The file ends in the middle of the data: it is truncated '
            '(an interrupted download or copy); fetch or convert it again.'
            if truncated
            else ''
        )
        raise ValueError(f'{what} {path} is not valid JSON: {err}.{why}') from None
    if expect is not None and not isinstance(data, expect):
        layout = 'a list of records' if expect is list else 'a JSON object'
        raise ValueError(
            f'{what} {path} holds {_describe(data)} where '
            f'{layout} is expected.{" " + fix if fix else ""}'
        )
    if not allow_empty and not data:
        raise ValueError(
            f'{what} {path} holds no records (an empty '
            f'{type(data).__name__}).{" " + fix if fix else ""}'
        )
    return data


def check_xyxy_box(bbox, where: str) -> list:
    """``bbox`` as 4 floats ``[x1, y1, x2, y2]`` in pixels.

    Raises:
        AnnotationError: not a list of 4 numbers (strings and booleans are
            refused, not converted), a NaN / infinite value, or ``x2 < x1``
            / ``y2 < y1`` (``where`` names the file and record).
    """
    if not isinstance(bbox, (list, tuple)) or len(bbox) != 4:
        raise AnnotationError(
            f'{where}: bbox {bbox!r} is not [x1, y1, x2, y2] (a list of 4 numbers in pixels)'
        )
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in bbox):
        raise AnnotationError(
            f'{where}: bbox {bbox!r} is not 4 numbers, it holds '
            'a non-number; write the coordinates as JSON '
            'numbers, not strings'
        )
    box = [float(v) for v in bbox]
    if not all(math.isfinite(v) for v in box):
        raise AnnotationError(
            f'{where}: bbox {bbox!r} has a NaN or infinite coordinate; fix or drop the annotation'
        )
    if box[2] < box[0] or box[3] < box[1]:
        raise AnnotationError(
            f'{where}: bbox {bbox!r} has x2 < x1 or y2 < y1 (boxes are [x1, y1, x2, y2])'
        )
    return box


#: what a loader does with a zero-area box: refuse it (default) or skip it
ZERO_AREA_CHOICES = ('refuse', 'skip')


def check_box_area(
    box, where: str, bbox=None, layout: str = 'xyxy', zero_area: str = 'refuse', option: str = ''
) -> bool:
    """Whether the ``[x1, y1, x2, y2]`` box ``box`` has an area; the one
    zero-area check of every box-bearing loader.

    A zero-area box (``x2 == x1`` or ``y2 == y1``) marks nothing: a region,
    an object or an HOI person with no pixels is an annotation error, and
    training on it teaches a degenerate box.

    Args:
        box: ``[x1, y1, x2, y2]`` as annotated (before clipping).
        where: the file and record, for the message.
        bbox: the box as the file writes it (default ``box``), for the message.
        layout: how the file writes it: ``'xyxy'`` or ``'xywh'`` (COCO).
        zero_area: ``'refuse'`` raises, ``'skip'`` returns False (the loader
            skips the record and counts it).
        option: how to ask for ``'skip'`` in this loader (e.g.
            ``"zero_area_boxes='skip'"``), said in the message when given.

    Raises:
        AnnotationError: a zero-area box with ``zero_area='refuse'``, naming
            ``where``, the box and the fix.
    """
    if box[2] > box[0] and box[3] > box[1]:
        return True
    if zero_area == 'skip':
        return False
    size = '(w == 0 or h == 0)' if layout == 'xywh' else '(x2 == x1 or y2 == y1)'
    skip = f', or set {option} to skip such boxes (counted in the log)' if option else ''
    raise AnnotationError(
        f'{where}: bbox {box if bbox is None else bbox!r} has zero area {size}; '
        f'fix or drop the annotation{skip}'
    )


def refuse_duplicate(
    seen: dict,
    key,
    record: str,
    where: str,
    what: str,
    rule: str = 'an image must have one record (merge their annotations, or drop one)',
) -> None:
    """Remember that ``record`` (e.g. ``'image record 7'``) holds ``key`` (its
    image: a file name or an image id); refuse a second record of one image.

    Two records of one image split its boxes over two samples (each
    trained as if the other's objects were background) and count the image
    twice in evaluation.

    Raises:
        AnnotationError: ``{where}: {what} is also {first record}: {rule}``
            (by default: an image must have one record (merge their
            annotations, or drop one)).
    """
    first = seen.setdefault(key, record)
    if first != record:
        raise AnnotationError(f'{where}: {what} is also {first}: {rule}')


def clean_text(text) -> str:
    """Whitespace collapsed to single spaces, ends stripped (``None`` and
    non-strings give ``''``)."""
    return ' '.join(text.split()) if isinstance(text, str) else ''


def coco_box_to_xyxy(bbox, where: str, size=None):
    """A COCO ``[x, y, w, h]`` as ``[x1, y1, x2, y2]`` (``x2 = x + w``, no +1),
    clipped to ``size = (width, height)`` when given (a box entirely
    outside becomes zero-area: the one-box-per-sample loaders drop it with
    the small boxes, counted in their warning).

    Raises:
        AnnotationError: ``bbox`` is not 4 finite numbers (strings are
            refused) with ``w, h >= 0`` (``where`` names the file and record).
    """
    if not isinstance(bbox, (list, tuple)) or len(bbox) != 4:
        raise AnnotationError(f'{where}: bbox {bbox!r} is not [x, y, w, h] (4 numbers)')
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in bbox):
        raise AnnotationError(
            f'{where}: bbox {bbox!r} is not [x, y, w, h] '
            'numbers, it holds a non-number; write the '
            'coordinates as JSON numbers, not strings'
        )
    x, y, w, h = (float(v) for v in bbox)
    if not all(math.isfinite(v) for v in (x, y, w, h)) or w < 0 or h < 0:
        raise AnnotationError(
            f'{where}: bbox {bbox!r} needs finite values and w, h >= 0 ([x, y, w, h] in pixels)'
        )
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
                raise ValueError(
                    f'{what} {path} maps splits to image ids; choose split= one of {sorted(data)}'
                )
            data = data[split]
        if not isinstance(data, list):
            raise ValueError(f'{what} {path} must hold a list of image ids or a dict split -> list')
        ids = data
    else:
        with open(path, encoding='utf-8') as f:
            ids = [line.strip() for line in f if line.strip()]
    try:
        return {int(i) for i in ids}
    except (TypeError, ValueError):
        raise ValueError(f'{what} {path} holds a non-integer image id') from None
