"""Kosmos-2 location tokens: the grid cells of a box's two corners."""

import math
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


@BOX_CODERS.register_module()
class PatchIndexBoxCoder(BaseBoxCoder):
    r"""A box as 2 patch-index tokens (Kosmos-2).

    The image is a ``P x P`` grid (``P = num_patches_per_side``); a cell
    ``(row, col)`` has the index ``row * P + col``. A box is written as the
    cell of its upper-left corner then the cell of its lower-right corner,
    the convention of the transformers Kosmos-2 processor
    (``transformers/models/kosmos2/processing_kosmos2.py``:
    ``coordinate_to_patch_index`` and ``patch_index_to_coordinate``). With
    normalised coordinates ``x = x_pixel / w``, ``y = y_pixel / h``:

    .. math::

        \mathrm{ul} = (\lfloor y_1 P \rfloor, \lfloor x_1 P \rfloor), \qquad
        \mathrm{lr} = (\lceil y_2 P - 1 \rceil, \lceil x_2 P - 1 \rceil)

    Decoding: if the two cells share a row or a column the box spans their
    full extents (``[col_ul / P, (col_lr + 1) / P]``, same for rows);
    otherwise it runs between the centres of the two cells
    (``[(col_ul + 1/2) / P, (col_lr + 1/2) / P]``), so the whole image
    ``(0, 0, 1, 1)`` comes back as ``(1/64, 1/64, 63/64, 63/64)`` for
    ``P = 32``.

    The only departures from transformers, both for inputs it refuses
    (``ValueError`` for ``x2 <= x1``): a zero-width or zero-height box is
    written with its lower-right cell clamped to its upper-left cell (and a
    corner on the right / bottom border to the last cell); every box with
    ``x2 > x1`` and ``y2 > y1`` inside the image gives exactly the indices of
    ``coordinate_to_patch_index``.

    Test vector (``P = 32``): normalised ``(.25, .25, .75, .5)`` ->
    ``<patch_index_0264> <patch_index_0503>`` -> ``(.265625, .265625,
    .734375, .484375)``.

    Args:
        num_patches_per_side (int): ``P``; ``L = P * P`` location tokens.
            Default 32 (Kosmos-2).
        token_fmt (str): token pattern, ``'<patch_index_{:04d}>'`` (Kosmos-2).

    Config::

        box_coder = dict(type='PatchIndexBoxCoder', num_patches_per_side=32)
    """

    num_tokens_per_box = 2

    def __init__(self, num_patches_per_side: int = 32, token_fmt: str = '<patch_index_{:04d}>'):
        if int(num_patches_per_side) != num_patches_per_side or num_patches_per_side < 1:
            raise ValueError(
                f'num_patches_per_side must be a positive integer, got {num_patches_per_side!r}'
            )
        self.num_patches_per_side = int(num_patches_per_side)
        super().__init__(self.num_patches_per_side**2, token_fmt)

    def _init_kwargs(self) -> dict:
        return dict(num_patches_per_side=self.num_patches_per_side, token_fmt=self.token_fmt)

    def encode_indices(self, box_xyxy: Box, img_wh: ImgWH) -> list:
        """One box (xyxy pixels, inside the image) -> ``[ul_idx, lr_idx]``."""
        box, w, h = self._check_box(box_xyxy, img_wh)
        p = self.num_patches_per_side
        x1, y1, x2, y2 = box[0] / w, box[1] / h, box[2] / w, box[3] / h
        last = p - 1
        ul_col = min(max(math.floor(x1 * p), 0), last)
        ul_row = min(max(math.floor(y1 * p), 0), last)
        lr_col = min(max(math.ceil(x2 * p - 1), ul_col), last)
        lr_row = min(max(math.ceil(y2 * p - 1), ul_row), last)
        return [ul_row * p + ul_col, lr_row * p + lr_col]

    def decode_indices(self, indices: Sequence[int], img_wh: ImgWH) -> np.ndarray:
        """``[ul_idx, lr_idx]`` -> box, float64 ``[4]`` xyxy pixels.

        Raises:
            BoxDecodeError: not 2 indices, an index outside ``[0, P*P)``, or
                a lower-right cell above or left of the upper-left cell.
        """
        w, h = self._check_img_wh(img_wh)
        idx = np.asarray(indices).reshape(-1)
        if idx.shape != (2,):
            raise BoxDecodeError(
                f'PatchIndexBoxCoder decodes a box from 2 patch indices, got {list(indices)!r}'
            )
        tokens = [self.index_to_token(k) for k in idx]  # range check
        p = self.num_patches_per_side
        (ul_row, ul_col), (lr_row, lr_col) = (divmod(int(k), p) for k in idx)
        if lr_row < ul_row or lr_col < ul_col:
            raise BoxDecodeError(
                f'tokens {" ".join(tokens)} put the lower-right cell (row '
                f'{lr_row}, col {lr_col}) above or left of the upper-left cell '
                f'(row {ul_row}, col {ul_col})'
            )
        cell = 1.0 / p
        if ul_row == lr_row or ul_col == lr_col:
            x1, y1 = ul_col * cell, ul_row * cell
            x2, y2 = lr_col * cell + cell, lr_row * cell + cell
        else:
            x1, y1 = ul_col * cell + cell / 2, ul_row * cell + cell / 2
            x2, y2 = lr_col * cell + cell / 2, lr_row * cell + cell / 2
        return np.array([x1 * w, y1 * h, x2 * w, y2 * h], dtype=np.float64)

    def distance(self, i: Indices, j: Indices) -> Any:
        """Euclidean distance between the cells ``(row, col)`` of patch
        indices ``i`` and ``j``, in cells, elementwise (ints, arrays or
        tensors)."""
        p = self.num_patches_per_side
        i, j = _as_index_array(i), _as_index_array(j)
        d_row = _to_float(i // p - j // p)
        d_col = _to_float(i % p - j % p)
        return (d_row * d_row + d_col * d_col) ** 0.5
