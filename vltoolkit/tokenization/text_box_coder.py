"""Boxes written as plain numbers in the answer text (chat VLMs' JSON answers).

A *text box coder* keeps the box-coder contract of
:class:`~vltoolkit.tokenization.BaseBoxCoder` (``encode(box, img_wh)`` gives
the answer's text for a box, ``find_boxes(text, img_wh)`` every box an
answer holds, in the pixels of the image of size ``img_wh``; garbage gives
fewer boxes, never an exception), so datasets, metrics, ``--show-dir``
pictures and the inferencer work unchanged. It adds no location token to the
vocabulary: :attr:`location_tokens` is empty and
:attr:`writes_location_tokens` is False.

The answer is the JSON list these models write::

    ```json
    [{"bbox_2d": [x1, y1, x2, y2], "label": "person"}]
    ```

fenced or not, read as ``supervision`` 0.31 reads it
(``Detections.from_vlm``: the fence stripped, the text between the first
``[`` and the last ``]`` parsed as JSON; a truncated answer keeps every
complete object before the cut; then Python literal syntax), and also the
``<|box_start|>(x1,y1),(x2,y2)<|box_end|>`` form of older answers (with
the label of a preceding ``<|object_ref_start|>...<|object_ref_end|>``).
An object counts when it holds ``"bbox_2d"`` with 4 numbers and a
``"label"``; its corners are sorted (``x2 < x1`` swapped, as the reference's
``Detections`` does); a box with a non-finite number is dropped.

Subclasses define the coordinate space: :meth:`coord_wh` gives the size
``(cw, ch)`` that the integers of an image of size ``img_wh`` are relative
to, so that a written coordinate ``v`` is ``v / cw * w`` pixels.
"""

import ast
import json
import math
import re
from typing import Any, List, Optional, Sequence, Tuple

import numpy as np

from .base_box_coder import BaseBoxCoder
from .number_places import number_spans

_FENCE_OPEN = re.compile(r'^```(json)?', re.IGNORECASE)
_FENCE_CLOSE = re.compile(r'```$')
_BOX_TOKENS = re.compile(
    r'(?:<\|object_ref_start\|>(?P<label>.*?)<\|object_ref_end\|>\s*)?'
    r'<\|box_start\|>\s*\(\s*(?P<x1>[-+]?\d+(?:\.\d+)?)\s*,\s*(?P<y1>[-+]?\d+(?:\.\d+)?)\s*\)'
    r'\s*,\s*\(\s*(?P<x2>[-+]?\d+(?:\.\d+)?)\s*,\s*(?P<y2>[-+]?\d+(?:\.\d+)?)\s*\)\s*'
    r'<\|box_end\|>',
    re.DOTALL,
)
_BBOX_LIST = re.compile(r'"bbox_2d"\s*:\s*\[([^\]]*)\]')
_BOX_SPAN = re.compile(r'<\|box_start\|>(.*?)<\|box_end\|>', re.DOTALL)


def _recover_truncated(text: str) -> Optional[Any]:
    """The JSON list of a cut answer: everything up to its last ``}``,
    a trailing comma dropped, the list closed; None when that does not parse
    (supervision's recovery of truncated answers)."""
    start = text.find('[')
    if start == -1:
        return None
    snippet = text[start:]
    last_brace = snippet.rfind('}')
    if last_brace == -1:
        return None
    body = snippet[1 : last_brace + 1].rstrip()
    if body.endswith(','):
        body = body[:-1].rstrip()
    try:
        return json.loads('[' + body + ']')
    except Exception:
        return None


def parse_json_objects(text: str) -> List[Any]:
    """The list a JSON answer holds, or ``[]``.

    The fence (```` ```json ```` ... ```` ``` ````) is stripped; the text from
    the first ``[`` to the last ``]`` is parsed as JSON; when that fails, a
    truncated list is recovered from the whole text, then from the slice;
    last, the slice is read as a Python literal. Never raises.
    """
    if not isinstance(text, str):
        return []
    text = _FENCE_CLOSE.sub('', _FENCE_OPEN.sub('', text.strip()).strip()).strip()
    unsliced = text
    start, end = text.find('['), text.rfind(']')
    if start != -1 and end != -1 and end > start:
        text = text[start : end + 1].strip()
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        data = _recover_truncated(unsliced)
        if data is None:
            data = _recover_truncated(text)
        if data is None:
            try:
                data = ast.literal_eval(text)
            except Exception:
                return []
    return data if isinstance(data, list) else []


def _as_box(values) -> Optional[np.ndarray]:
    """Four values that ``float()`` reads (numbers, numeric strings, as
    numpy reads them for the reference) and that are finite, as float64
    ``[4]``; else None."""
    if not isinstance(values, (list, tuple)) or len(values) != 4:
        return None
    try:
        box = np.array([float(v) for v in values], dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        return None
    return _sorted_corners(box) if np.isfinite(box).all() else None


def _sorted_corners(box) -> np.ndarray:
    """``(min x, min y, max x, max y)`` of a box written corner-swapped."""
    x1, y1, x2, y2 = (float(v) for v in box)
    return np.array([min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)])


class TextBoxCoder(BaseBoxCoder):
    """Base of the box coders whose boxes are numbers in the answer text.

    Args:
        fence (bool): :meth:`format_answer` wraps the JSON in a
            ```` ```json ```` fence, as the models answer. Default True.

    Attributes:
        writes_location_tokens (bool): False: no vocabulary token stands for
            a location, so location-token label encoders and losses do not
            apply (see ``docs/pretrained_vlms.md``).
    """

    writes_location_tokens = False
    num_tokens_per_box = 0

    def __init__(self, fence: bool = True):
        # no location tokens: BaseBoxCoder's token tables stay empty
        self.fence = bool(fence)
        self.num_locations = 0
        self.token_fmt = None
        self._location_tokens = []
        self._index_of_token = {}
        self._token_pattern = re.compile(r'(?!x)x')  # matches nothing

    # ------------------------------------------------------- coordinate space
    def coord_wh(self, img_wh) -> Tuple[float, float]:
        """``(cw, ch)``: the written integers of an image of size ``img_wh``
        are ``round(x / w * cw)``, ``round(y / h * ch)``."""
        raise NotImplementedError

    def coord_max(self, img_wh) -> Tuple[int, int]:
        """The largest integer written per axis."""
        cw, ch = self.coord_wh(img_wh)
        return int(cw), int(ch)

    # --------------------------------------------------------------- encoding
    def encode_numbers(self, box_xyxy, img_wh) -> List[int]:
        """One box (xyxy pixels, inside the image) -> its 4 written integers,
        ``round(c / size * coord_size)`` (half to even), kept in range."""
        box, w, h = self._check_box(box_xyxy, img_wh)
        cw, ch = self.coord_wh((w, h))
        mx, my = self.coord_max((w, h))
        scaled = box / np.array([w, h, w, h]) * np.array([cw, ch, cw, ch])
        ints = np.rint(scaled).astype(np.int64)
        ints = np.minimum(np.maximum(ints, 0), np.array([mx, my, mx, my]))
        return [int(v) for v in ints]

    def encode(self, box_xyxy, img_wh, label: str = '') -> str:
        """One box -> the answer that names it:
        ``[{"bbox_2d": [x1, y1, x2, y2], "label": "..."}]`` (fenced when
        :attr:`fence`)."""
        return self.format_answer([box_xyxy], img_wh, [label])

    def format_answer(self, boxes: Sequence, img_wh, labels: Optional[Sequence[str]] = None) -> str:
        """Several boxes -> one JSON answer, in the given order.

        Args:
            boxes: xyxy pixel boxes inside the image.
            img_wh: ``(width, height)`` of the image.
            labels: one label per box (default ``''``).
        """
        labels = [''] * len(boxes) if labels is None else list(labels)
        if len(labels) != len(boxes):
            raise ValueError(f'{len(boxes)} boxes but {len(labels)} labels')
        items = [
            json.dumps(
                {'bbox_2d': self.encode_numbers(b, img_wh), 'label': str(lab)}, ensure_ascii=False
            )
            for b, lab in zip(boxes, labels)
        ]
        body = '[' + ', '.join(items) + ']'
        return f'```json\n{body}\n```' if self.fence else body

    # --------------------------------------------------------------- decoding
    def numbers_to_box(self, numbers, img_wh) -> np.ndarray:
        """4 written numbers -> float64 ``[4]`` xyxy pixels (no checks)."""
        w, h = self._check_img_wh(img_wh)
        cw, ch = self.coord_wh((w, h))
        return np.asarray(numbers, np.float64) / np.array([cw, ch, cw, ch]) * np.array([w, h, w, h])

    def find_labeled_boxes(self, text: str, img_wh) -> List[Tuple[str, np.ndarray]]:
        """Every ``(label, box)`` the answer holds, boxes in pixels, in text
        order: the JSON objects, else the ``<|box_start|>`` boxes."""
        self._check_img_wh(img_wh)
        if not isinstance(text, str):
            return []
        found = []
        for item in parse_json_objects(text):
            if not isinstance(item, dict) or 'bbox_2d' not in item or 'label' not in item:
                continue
            numbers = _as_box(item['bbox_2d'])
            if numbers is None:
                continue
            found.append((str(item['label']), self.numbers_to_box(numbers, img_wh)))
        if found:
            return found
        for m in _BOX_TOKENS.finditer(text):
            numbers = _sorted_corners([float(m.group(k)) for k in ('x1', 'y1', 'x2', 'y2')])
            found.append(((m.group('label') or '').strip(), self.numbers_to_box(numbers, img_wh)))
        return found

    def find_boxes(self, text: str, img_wh) -> list:
        """All boxes an answer holds, float64 ``[4]`` xyxy pixels, in text
        order; malformed parts give fewer boxes, never an exception."""
        return [box for _, box in self.find_labeled_boxes(text, img_wh)]

    def decode(self, tokens, img_wh) -> np.ndarray:
        """The one box of an answer (the first, when there are several)."""
        from .base_box_coder import BoxDecodeError

        boxes = self.find_boxes(tokens if isinstance(tokens, str) else ''.join(tokens), img_wh)
        if not boxes:
            raise BoxDecodeError(f'no box in {tokens!r}')
        return boxes[0]

    def coordinate_spans(self, text: str) -> List[Tuple[int, int]]:
        """``(start, end)`` character spans of the coordinates in ``text``:
        the numbers inside every ``"bbox_2d": [...]`` list and every
        ``<|box_start|>...<|box_end|>``, in text order (what the digit-level
        losses act on; see :mod:`vltoolkit.tokenization.number_places`)."""
        spans = []
        for pattern in (_BBOX_LIST, _BOX_SPAN):
            for box in pattern.finditer(text):
                offset = box.start(1)
                spans += [(offset + a, offset + b) for a, b in number_spans(box.group(1))]
        return sorted(spans)

    # ----------------------------------------- location-token interface: none
    def encode_indices(self, box_xyxy, img_wh) -> list:
        raise NotImplementedError(
            f'{type(self).__name__} writes numbers, not location tokens: use encode()'
        )

    def decode_indices(self, indices, img_wh):
        raise NotImplementedError(
            f'{type(self).__name__} writes numbers, not location tokens: use find_boxes()'
        )

    def distance(self, i, j):
        raise NotImplementedError(
            f'{type(self).__name__} has no location tokens, so no distance between them; '
            'location-token label encoders (DistanceLabelEncoder) do not apply'
        )

    def _init_kwargs(self) -> dict:
        return dict(fence=self.fence)


def check_pixels(min_pixels: int, max_pixels: int, factor: int) -> None:
    """Refuse resize settings the processor would refuse."""
    if int(factor) != factor or factor < 1:
        raise ValueError(f'factor must be a positive integer, got {factor!r}')
    if not (0 < min_pixels <= max_pixels) or not math.isfinite(max_pixels):
        raise ValueError(
            f'need 0 < min_pixels <= max_pixels, got min_pixels={min_pixels!r}, '
            f'max_pixels={max_pixels!r}'
        )
