"""Florence-2 location tokens: ``<loc_0>``..``<loc_999>``, floor bins."""

from typing import Any, Sequence

import numpy as np
import torch

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
class Florence2BoxCoder(BaseBoxCoder):
    r"""A box as 4 tokens ``x1 y1 x2 y2`` in Florence-2's 1000 floor bins.

    The convention of transformers' ``Florence2PostProcessor``
    (transformers 5.24, ``models/florence2/processing_florence2.py``,
    ``quantize`` / ``dequantize``): with ``N = num_bins`` bins per axis and a
    side of ``size`` pixels,

    .. math::

        k = \operatorname{clamp}\Big(\Big\lfloor \frac{c}{\mathrm{size} / N}
            \Big\rfloor, 0, N - 1\Big), \qquad
        \hat c = (k + \tfrac12)\,\frac{\mathrm{size}}{N}

    computed like the reference, on float32 tensors (``size / N`` is a
    Python float, the division and the floor happen in float32). Decoding
    gives the bin centre; transformers then truncates it to an ``int``
    (``.int()``), :meth:`decode` keeps the float (``int(decode(...))`` is the
    reference's integer). Unlike OFA's :class:`BinBoxCoder` (``round(c /
    size (N - 1))``), bin 0 covers ``[0, size / N)`` and no bin sits on the
    border.

    The tokens are Florence-2's own: the pretrained tokenizer holds them,
    so nothing is added to the vocabulary.

    Test vector: ``[100.5, 50.25, 300.75, 400]`` in 640x480 ->
    ``<loc_157> <loc_104> <loc_469> <loc_833>`` -> ``[100.8, 50.16, 300.48,
    400.08]`` (transformers: ``[100, 50, 300, 400]``).

    Args:
        num_bins (int): ``N``. Default 1000 (Florence-2).
        token_fmt (str): Default ``'<loc_{}>'`` (Florence-2).

    Config::

        box_coder = dict(type='Florence2BoxCoder')
    """

    num_tokens_per_box = 4

    def __init__(self, num_bins: int = 1000, token_fmt: str = '<loc_{}>'):
        super().__init__(num_bins, token_fmt)
        self.num_bins = self.num_locations

    def _init_kwargs(self) -> dict:
        return dict(num_bins=self.num_bins, token_fmt=self.token_fmt)

    def encode_indices(self, box_xyxy: Box, img_wh: ImgWH) -> list:
        """One box (xyxy pixels, inside the image) -> 4 bin indices."""
        box, w, h = self._check_box(box_xyxy, img_wh)
        n = self.num_bins
        per = [w / n, h / n, w / n, h / n]
        # the reference divides float32 coordinates by a Python float
        coords = torch.from_numpy(box.astype(np.float32))
        return [int((coords[i] / per[i]).floor().clamp(0, n - 1)) for i in range(4)]

    def decode_indices(self, indices: Sequence[int], img_wh: ImgWH) -> np.ndarray:
        """4 bin indices -> the bin centres, float64 ``[4]`` xyxy pixels.

        Raises:
            BoxDecodeError: not 4 indices, an index outside ``[0, N)``, or
                ``x2 < x1`` / ``y2 < y1``.
        """
        w, h = self._check_img_wh(img_wh)
        bins = np.asarray(indices).reshape(-1)
        if bins.shape != (4,):
            raise BoxDecodeError(
                f'Florence2BoxCoder decodes a box from 4 bins, got {list(indices)!r}'
            )
        tokens = [self.index_to_token(k) for k in bins]  # range check
        if bins[2] < bins[0] or bins[3] < bins[1]:
            raise BoxDecodeError(
                f'tokens {" ".join(tokens)} decode to a box with x2 < x1 or '
                'y2 < y1 (expected x1 y1 x2 y2)'
            )
        n = self.num_bins
        per = [w / n, h / n, w / n, h / n]
        # float32 like the reference, so int() of it is transformers' value
        centre = [float((torch.tensor(int(k)) + 0.5) * per[i]) for i, k in enumerate(bins)]
        return np.asarray(centre, dtype=np.float64)

    def distance(self, i: Indices, j: Indices) -> Any:
        """``|i - j|``, in bins, elementwise (ints, arrays or tensors)."""
        return _to_float(abs(_as_index_array(i) - _as_index_array(j)))
