"""PaliGemma location tokens: ``<loc0000>``..``<loc1023>``, y before x."""

from typing import Sequence

import numpy as np

from vltoolkit.registry import BOX_CODERS

from .base_box_coder import Box, BoxDecodeError, ImgWH
from .bin_box_coder import BinBoxCoder

BIG_VISION_COMMIT = '5f95305cdb93f8da81fb21178a5024cff5ad4f96'


@BOX_CODERS.register_module()
class PaliGemmaBoxCoder(BinBoxCoder):
    r"""A box as 4 tokens ``y_min x_min y_max x_max`` in 1024 bins (PaliGemma).

    big_vision's convention (google-research/big_vision@5f95305,
    ``big_vision/pp/proj/paligemma/segmentation.py::get_refcoco_mask2str``
    for the encoding, ``big_vision/evaluators/proj/paligemma/transfers/
    segmentation.py::Evaluator.run`` for the decoding): the box, normalised
    by the image size and ordered ``[y_min, x_min, y_max, x_max]`` (TFDS's
    ``objects/bbox``), is binned as

    .. math::

        k = \operatorname{clip}\big(\operatorname{round}(b \cdot (N - 1)),
            0, N - 1\big), \qquad \hat b = k / (N - 1)

    with ``N = 1024``, ``tf.round`` (half to even) on float32, and tokens
    ``'<loc%04d>' % k``. A prediction is a valid box for big_vision when its
    4 tokens are location tokens with ``y_max > y_min`` and ``x_max >
    x_min``; :meth:`decode` refuses only inverted boxes (``<``), like
    :class:`BinBoxCoder`, and keeps a zero-size box. Community parsers that
    decode ``k / 1024`` are off by up to one bin from big_vision; this coder
    follows big_vision.

    This is :class:`BinBoxCoder` (``round(c / size (N - 1))`` in float32,
    half to even) with the coordinates written y first; its
    :meth:`encode_indices` / :meth:`decode_indices` take and return xyxy
    pixels like every coder, only the token order differs.

    Test vector: ``[100.5, 50.25, 300.75, 400]`` (xyxy) in 640x480 ->
    ``<loc0107> <loc0161> <loc0852> <loc0481>`` (``400 / 480 * 1023`` is
    the float32 tie 852.5, rounded to even) -> ``[100.72, 50.21, 300.92,
    399.77]``.

    Args:
        num_bins (int): ``N``. Default 1024 (PaliGemma).
        token_fmt (str): Default ``'<loc{:04d}>'`` (PaliGemma).

    Config::

        box_coder = dict(type='PaliGemmaBoxCoder')
    """

    def __init__(self, num_bins: int = 1024, token_fmt: str = '<loc{:04d}>'):
        super().__init__(num_bins, token_fmt)

    def _init_kwargs(self) -> dict:
        return dict(num_bins=self.num_bins, token_fmt=self.token_fmt)

    def encode_indices(self, box_xyxy: Box, img_wh: ImgWH) -> list:
        """One box (xyxy pixels) -> 4 bin indices, ``y1 x1 y2 x2``."""
        x1, y1, x2, y2 = super().encode_indices(box_xyxy, img_wh)
        return [y1, x1, y2, x2]

    def decode_indices(self, indices: Sequence[int], img_wh: ImgWH) -> np.ndarray:
        """4 bin indices ``y1 x1 y2 x2`` -> box, float64 xyxy pixels.

        Raises:
            BoxDecodeError: not 4 indices, an index outside ``[0, N)``, or
                ``y2 < y1`` / ``x2 < x1``.
        """
        bins = np.asarray(indices).reshape(-1)
        if bins.shape != (4,):
            raise BoxDecodeError(
                f'PaliGemmaBoxCoder decodes a box from 4 bins (y1 x1 y2 x2), got {list(indices)!r}'
            )
        y1, x1, y2, x2 = bins
        return super().decode_indices([x1, y1, x2, y2], img_wh)
