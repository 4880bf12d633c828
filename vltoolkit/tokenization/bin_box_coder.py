"""OFA / Pix2Seq location tokens: one quantised coordinate per token."""

from typing import Any, Sequence

import numpy as np

from vltoolkit.registry import BOX_CODERS

from .base_box_coder import (
    BaseBoxCoder,
    Box,
    BoxDecodeError,
    ImgWH,
    Indices,
    _as_index_array,
    _to_float,
)

_ROUNDINGS = ('half_even', 'half_up')


@BOX_CODERS.register_module()
class BinBoxCoder(BaseBoxCoder):
    r"""A box as 4 bin tokens ``x1 y1 x2 y2`` (OFA, Pix2Seq).

    Each coordinate ``c`` of an image side of ``size`` pixels is quantised
    to one of ``N = num_bins`` bins, the convention of OFA
    (OFA-Sys/OFA ``data/mm_data/refcoco_dataset.py``:
    ``int((box / size * (num_bins - 1)).round())`` on float32 tensors,
    decoded in ``tasks/mm_tasks/refcoco.py`` as
    ``k / (num_bins - 1) * size``):

    .. math::

        k = \operatorname{round}\Big(\frac{c}{\mathrm{size}}\,(N - 1)\Big),
        \qquad \hat c = \frac{k}{N - 1}\,\mathrm{size}

    computed in float32 with round-half-to-even (``torch.round`` and
    ``np.round`` both round ties to even), so bins 0 and ``N - 1`` sit on the
    image borders and a coordinate comes back within half a bin,
    ``size / (2 (N - 1))`` pixels.

    Test vector. OFA's ``<bin_157> <bin_105> <bin_469> <bin_833>`` for the
    box ``[100.5, 50.25, 300.75, 400]`` of a 640x480 image comes from its
    RefCOCO path: the image is first resized to 512x512 and the box scaled
    by ``512 / w``, ``512 / h`` in float32 (``400 * 512 / 480`` = 426.66666
    in float32, then ``/ 512 * 999`` = 832.50006 -> 833). The toolkit's
    pipeline reproduces that path: ``ResizeImageAndBoxes(scale=(512,
    512))`` then this coder on the 512x512 image gives ``<bin_833>`` too
    (and agrees with OFA's float32 arithmetic on random boxes, see
    ``tests/test_tokenization/test_bin_box_coder.py``). Applied directly to
    the 640x480 box, the formula meets the exact tie ``400 / 480 * 999`` =
    832.5 and rounds it to even: ``<bin_157> <bin_105> <bin_469>
    <bin_832>``, decoded ``[100.58, 50.45, 300.46, 399.76]``.
    ``rounding='half_up'`` gives ``<bin_833>`` on the 640x480 box (decoded
    400.24), but only by the tie; it is not OFA's rule.

    Args:
        num_bins (int): ``N``, the number of location tokens. Default 1000.
        token_fmt (str): token pattern, ``'<bin_{}>'`` (OFA). The multi-task HOI study uses
            ``'<loc_{}>'``.
        rounding (str): ``'half_even'`` (default, OFA's ``.round()``) or
            ``'half_up'`` (``floor(v + 0.5)`` in float32); they differ only
            when ``c / size * (N - 1)`` is exactly a half integer in float32.

    Config::

        box_coder = dict(type='BinBoxCoder', num_bins=1000, token_fmt='<bin_{}>')
    """

    num_tokens_per_box = 4

    def __init__(
        self, num_bins: int = 1000, token_fmt: str = '<bin_{}>', rounding: str = 'half_even'
    ):
        if rounding not in _ROUNDINGS:
            raise ValueError(f'rounding must be one of {_ROUNDINGS}, got {rounding!r}')
        super().__init__(num_bins, token_fmt)
        self.num_bins = self.num_locations
        self.rounding = rounding

    def _init_kwargs(self) -> dict:
        kwargs = dict(num_bins=self.num_bins, token_fmt=self.token_fmt)
        if self.rounding != 'half_even':
            kwargs['rounding'] = self.rounding
        return kwargs

    def encode_indices(self, box_xyxy: Box, img_wh: ImgWH) -> list:
        """One box (xyxy pixels, inside the image) -> 4 bin indices."""
        box, w, h = self._check_box(box_xyxy, img_wh)
        size = np.array([w, h, w, h], dtype=np.float32)
        scaled = box.astype(np.float32) / size * np.float32(self.num_bins - 1)
        if self.rounding == 'half_even':
            bins = np.round(scaled)
        else:
            bins = np.floor(scaled + np.float32(0.5))
        bins = np.clip(bins, 0, self.num_bins - 1)
        return [int(k) for k in bins]

    def decode_indices(self, indices: Sequence[int], img_wh: ImgWH) -> np.ndarray:
        """4 bin indices -> box, float64 ``[4]`` xyxy pixels.

        Raises:
            BoxDecodeError: not 4 indices, an index outside
                ``[0, num_bins)``, or ``x2 < x1`` / ``y2 < y1``.
        """
        w, h = self._check_img_wh(img_wh)
        bins = np.asarray(indices).reshape(-1)
        if bins.shape != (4,):
            raise BoxDecodeError(f'BinBoxCoder decodes a box from 4 bins, got {list(indices)!r}')
        bins = bins.astype(np.int64)
        tokens = [self.index_to_token(k) for k in bins]  # range check
        if bins[2] < bins[0] or bins[3] < bins[1]:
            raise BoxDecodeError(
                f'tokens {" ".join(tokens)} decode to a box with x2 < x1 or '
                'y2 < y1 (expected x1 y1 x2 y2)'
            )
        size = np.array([w, h, w, h], dtype=np.float64)
        return bins.astype(np.float64) / (self.num_bins - 1) * size

    def distance(self, i: Indices, j: Indices) -> Any:
        """``|i - j|``, in bins, elementwise (ints, arrays or tensors)."""
        return _to_float(abs(_as_index_array(i) - _as_index_array(j)))
