"""The interface of a box coder: boxes <-> location tokens.

A box coder turns an ``xyxy`` box in pixels into a few *location tokens*
(strings such as ``<bin_157>`` or ``<patch_index_0264>``) that a sequence
model reads and writes like words, and turns generated location tokens back
into a box. Every location token stands for one *location index* in
``[0, num_locations)``; ``location_tokens[k]`` is the token of index ``k``.

Two schemes are implemented (see ``docs/location_tokens.md``):

* :class:`~vltoolkit.tokenization.BinBoxCoder`: OFA / Pix2Seq, 4 tokens per
  box, one quantised coordinate each.
* :class:`~vltoolkit.tokenization.PatchIndexBoxCoder`: Kosmos-2, 2 tokens per
  box, the grid cells of the upper-left and lower-right corners.
"""

import json
import math
import re
import string
from abc import ABCMeta, abstractmethod

import numpy as np
import torch

from vltoolkit.registry import BOX_CODERS


class BoxDecodeError(ValueError):
    """Location tokens that do not make a box: wrong count, unknown token,
    or a lower-right corner above / left of the upper-left corner."""


def _to_float(x):
    """``x`` as floating point, keeping its kind (tensor, array, scalar)."""
    if isinstance(x, torch.Tensor):
        return x if x.is_floating_point() else x.to(torch.get_default_dtype())
    if isinstance(x, np.ndarray):
        return x.astype(np.float64)
    return float(x)


def _as_index_array(x):
    """Tensors and arrays as they are, sequences as numpy arrays, scalars as
    Python ints."""
    if isinstance(x, (torch.Tensor, np.ndarray)):
        return x
    if isinstance(x, (list, tuple)):
        return np.asarray(x)
    return int(x)


class BaseBoxCoder(metaclass=ABCMeta):
    """Boxes <-> location tokens, for one tokenisation scheme.

    Subclasses set the class attribute :attr:`num_tokens_per_box` and
    implement :meth:`encode_indices`, :meth:`decode_indices` and
    :meth:`distance`; token formatting, parsing and :meth:`find_boxes` are
    shared.

    Args:
        num_locations (int): ``L``, the number of location tokens.
        token_fmt (str): a :meth:`str.format` pattern with exactly one
            replacement field for the location index, e.g. ``'<bin_{}>'`` or
            ``'<patch_index_{:04d}>'``.

    Attributes:
        num_tokens_per_box (int): 4 (one per coordinate) or 2 (two corners).
        num_locations (int): ``L``.
        token_fmt (str): the token pattern.
    """

    num_tokens_per_box: int = 4
    #: the coder writes a box as location tokens of the vocabulary (False for
    #: :class:`~vltoolkit.tokenization.text_box_coder.TextBoxCoder`: numbers)
    writes_location_tokens: bool = True

    def __init__(self, num_locations: int, token_fmt: str):
        if int(num_locations) != num_locations or num_locations < 2:
            raise ValueError(f'num_locations must be an integer >= 2, got {num_locations!r}')
        self.num_locations = int(num_locations)
        self.token_fmt = token_fmt
        self._token_pattern = self._compile_token_pattern(token_fmt)
        self._location_tokens = [token_fmt.format(k) for k in range(self.num_locations)]
        self._index_of_token = {tok: k for k, tok in enumerate(self._location_tokens)}
        if len(self._index_of_token) != self.num_locations:
            raise ValueError(
                f'token_fmt {token_fmt!r} gives the same token to different location indices'
            )
        for tok in self._location_tokens:
            if not self._token_pattern.fullmatch(tok):
                raise ValueError(
                    f'token_fmt {token_fmt!r} formats index '
                    f'{self._index_of_token[tok]} as {tok!r}, which its own '
                    'pattern (literal text around a run of digits) does not '
                    'match; use a plain integer field such as {} or {:04d}'
                )
            if any(ch.isspace() for ch in tok):
                raise ValueError(
                    f'location tokens must not contain whitespace: {token_fmt!r} gives {tok!r}'
                )

    @staticmethod
    def _compile_token_pattern(token_fmt):
        """``'<bin_{}>'`` -> ``re.compile(r'<bin_(\\d+)>')``."""
        if not isinstance(token_fmt, str):
            raise TypeError(f'token_fmt must be a str, got {token_fmt!r}')
        try:
            parts = list(string.Formatter().parse(token_fmt))
        except ValueError as err:
            raise ValueError(f'bad token_fmt {token_fmt!r}: {err}') from None
        fields = [p for p in parts if p[1] is not None]
        if len(fields) != 1:
            raise ValueError(
                f'token_fmt must hold exactly one replacement '
                f'field (e.g. "<bin_{{}}>"), got {token_fmt!r}'
            )
        regex, seen_field = '', False
        for literal, field, _, _ in parts:
            regex += re.escape(literal)
            if field is not None:
                regex += r'(\d+)'
                seen_field = True
        assert seen_field
        return re.compile(regex)

    # ------------------------------------------------------------------ tokens
    @property
    def location_tokens(self) -> list:
        """All ``L`` location tokens, ``location_tokens[k]`` for index k."""
        return list(self._location_tokens)

    def index_to_token(self, index: int) -> str:
        """The location token of one location index."""
        index = int(index)
        if not 0 <= index < self.num_locations:
            raise BoxDecodeError(f'location index {index} is outside [0, {self.num_locations})')
        return self._location_tokens[index]

    def token_to_index(self, token: str) -> int:
        """The location index of one location token.

        Raises:
            BoxDecodeError: ``token`` is not one of :attr:`location_tokens`
                (e.g. ``'<bin_1000>'`` with 1000 bins, or ``'<patch_index_12>'``
                without the zero padding).
        """
        try:
            return self._index_of_token[token]
        except (KeyError, TypeError):
            raise BoxDecodeError(
                f'{token!r} is not a location token of {self!r} (expected '
                f'{self._location_tokens[0]!r} ... '
                f'{self._location_tokens[-1]!r})'
            ) from None

    # ------------------------------------------------------------- validation
    @staticmethod
    def _check_img_wh(img_wh):
        try:
            w, h = (float(v) for v in img_wh)
        except (TypeError, ValueError):
            raise ValueError(f'img_wh must be (width, height), got {img_wh!r}') from None
        if not (w > 0 and h > 0 and math.isfinite(w) and math.isfinite(h)):
            raise ValueError(f'img_wh must be positive and finite, got {img_wh!r}')
        return w, h

    @classmethod
    def _check_box(cls, box_xyxy, img_wh):
        """The box as float64 ``[4]`` and the image size, or ``ValueError``."""
        w, h = cls._check_img_wh(img_wh)
        box = np.asarray(
            box_xyxy.detach().cpu() if isinstance(box_xyxy, torch.Tensor) else box_xyxy,
            dtype=np.float64,
        )
        if box.shape != (4,):
            raise ValueError(
                f'expected one box (x1, y1, x2, y2), got shape {box.shape} for {box_xyxy!r}'
            )
        x1, y1, x2, y2 = box.tolist()
        problem = None
        if not np.isfinite(box).all():
            problem = 'has a non-finite coordinate'
        elif x2 < x1 or y2 < y1:
            problem = 'has x2 < x1 or y2 < y1'
        elif x1 < 0 or y1 < 0 or x2 > w or y2 > h:
            problem = 'lies (partly) outside the image'
        if problem is not None:
            raise ValueError(
                f'cannot encode box {box.tolist()} (xyxy pixels) in an image of '
                f'size (w, h) = ({w:g}, {h:g}): it {problem}; clip boxes to '
                '[0, w] x [0, h] before encoding'
            )
        return box, w, h

    # --------------------------------------------------------------- encoding
    @abstractmethod
    def encode_indices(self, box_xyxy, img_wh) -> list:
        """One box (xyxy pixels) -> :attr:`num_tokens_per_box` location
        indices. Raises ``ValueError`` for a box outside the image or with
        ``x2 < x1`` / ``y2 < y1``."""

    @abstractmethod
    def decode_indices(self, indices, img_wh) -> np.ndarray:
        """:attr:`num_tokens_per_box` location indices -> box, float64 ``[4]``
        xyxy pixels. Raises :class:`BoxDecodeError` for malformed input."""

    def encode(self, box_xyxy, img_wh) -> list:
        """One box -> its location tokens.

        Args:
            box_xyxy: ``(x1, y1, x2, y2)`` in pixels, inside the image.
            img_wh: ``(width, height)`` of the image in pixels.

        Returns:
            list[str]: :attr:`num_tokens_per_box` tokens.
        """
        return [self._location_tokens[k] for k in self.encode_indices(box_xyxy, img_wh)]

    def decode(self, tokens, img_wh) -> np.ndarray:
        """Location tokens -> box.

        Args:
            tokens (list[str] | str): :attr:`num_tokens_per_box` tokens, or a
                string holding exactly those tokens (whitespace between them
                is ignored).
            img_wh: ``(width, height)`` of the image in pixels.

        Returns:
            np.ndarray: float64 ``[4]``, ``(x1, y1, x2, y2)`` in pixels.

        Raises:
            BoxDecodeError: wrong number of tokens, an unknown token, or
                tokens that do not make a box.
        """
        if isinstance(tokens, str):
            # '<bin_1> <bin_2> ...' or glued '<bin_1><bin_2>...'
            found = [m.group(0) for m in self._token_pattern.finditer(tokens)]
            rest = self._token_pattern.sub(' ', tokens)
            tokens = found if not rest.strip() else tokens.split()
        tokens = list(tokens)
        if len(tokens) != self.num_tokens_per_box:
            raise BoxDecodeError(
                f'{type(self).__name__} decodes a box from '
                f'{self.num_tokens_per_box} location tokens, got '
                f'{len(tokens)}: {tokens!r}'
            )
        indices = [self.token_to_index(tok) for tok in tokens]
        return self.decode_indices(indices, img_wh)

    def find_boxes(self, text: str, img_wh) -> list:
        """All boxes written in a generated text.

        Location tokens are grouped into runs of consecutive tokens (only
        whitespace between them); each run is cut into groups of
        :attr:`num_tokens_per_box` from its start, and every group that
        decodes gives one box. An incomplete trailing group, an unknown token
        (e.g. ``<bin_1000>`` with 1000 bins) or an inverted box is skipped:
        garbage text gives fewer boxes, never an exception.

        Args:
            text (str): e.g. ``'person <bin_1> <bin_2> <bin_30> <bin_40>'``
                or ``'<phrase>a dog</phrase><object><patch_index_0044>'``
                ``'<patch_index_0495></object>'``.
            img_wh: ``(width, height)`` of the image in pixels.

        Returns:
            list[np.ndarray]: float64 ``[4]`` xyxy boxes in pixels, in text
            order.
        """
        self._check_img_wh(img_wh)
        if not isinstance(text, str):
            return []
        runs, run, last_end = [], [], None
        for match in self._token_pattern.finditer(text):
            if run and not text[last_end : match.start()].isspace() and match.start() != last_end:
                runs.append(run)
                run = []
            run.append(match.group(0))
            last_end = match.end()
        if run:
            runs.append(run)
        n, boxes = self.num_tokens_per_box, []
        for run in runs:
            for start in range(0, len(run) - n + 1, n):
                try:
                    boxes.append(self.decode(run[start : start + n], img_wh))
                except BoxDecodeError:
                    continue
        return boxes

    # --------------------------------------------------------------- geometry
    @abstractmethod
    def distance(self, i, j):
        """Distance between location indices ``i`` and ``j``, elementwise.

        Works on Python ints, numpy arrays and torch tensors (broadcasting),
        and returns floats of the same kind (float, float64 array, floating
        tensor).
        """

    # ------------------------------------------------------------------- misc
    def config(self) -> dict:
        """The config dict that builds an equal coder."""
        return dict(type=type(self).__name__, **self._init_kwargs())

    @abstractmethod
    def _init_kwargs(self) -> dict:
        """The constructor arguments of this coder."""

    def __eq__(self, other):
        return type(self) is type(other) and self.config() == other.config()

    def __hash__(self):
        return hash(json.dumps(self.config(), sort_keys=True))

    def __repr__(self):
        args = ', '.join(f'{k}={v!r}' for k, v in self._init_kwargs().items())
        return f'{type(self).__name__}({args})'


def build_box_coder(cfg) -> BaseBoxCoder:
    """A box coder from a config dict (``type`` in :data:`BOX_CODERS`) or
    a coder instance (returned as is)."""
    if isinstance(cfg, BaseBoxCoder):
        return cfg
    if not hasattr(cfg, 'get') or 'type' not in cfg:
        raise TypeError(
            'box_coder must be a BaseBoxCoder or a config dict '
            f"with a 'type' (e.g. dict(type='BinBoxCoder')), got "
            f'{cfg!r}'
        )
    coder = BOX_CODERS.build(dict(cfg))
    if not isinstance(coder, BaseBoxCoder):
        raise TypeError(f'{cfg!r} built {coder!r}, not a BaseBoxCoder')
    return coder
