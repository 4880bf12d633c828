"""Qwen2.5-VL boxes: absolute integer pixels of the processor's resized image."""

from typing import Tuple

from vltoolkit.registry import BOX_CODERS

from .text_box_coder import TextBoxCoder, check_pixels


@BOX_CODERS.register_module()
class Qwen2_5VLBoxCoder(TextBoxCoder):
    r"""A box as the integers Qwen2.5-VL writes: pixels of the image the
    processor made.

    Qwen2.5-VL sees the image resized by the processor's *smart resize*
    (``transformers``' ``Qwen2VLImageProcessor``): both sides a multiple of
    ``factor`` (patch 14 x merge 2 = 28), the area within
    ``[min_pixels, max_pixels]``, the aspect ratio kept. Its answers give boxes
    in the pixels of that resized image ``(W', H')``:

    .. math::

        v_x = \operatorname{round}\Big(\frac{x}{w}\,W'\Big), \qquad
        \hat x = \frac{v_x}{W'}\,w

    (and likewise for ``y`` with ``h``, ``H'``). The answer is
    ``[{"bbox_2d": [x1, y1, x2, y2], "label": "..."}]`` (see
    :class:`~vltoolkit.tokenization.text_box_coder.TextBoxCoder`).

    Test vector: ``[100, 50, 300, 400]`` in 640x480 -> the processor's
    644x476 -> ``[101, 50, 302, 397]`` -> ``[100.37, 50.42, 300.12, 400.34]``.

    Args:
        factor (int): side multiple of the resize, patch size x merge size.
            Default 28.
        min_pixels (int): smallest resized area. Default 56 * 56 (the
            processor's).
        max_pixels (int): largest resized area. Default 28 * 28 * 16384
            (Qwen2.5-VL's ``preprocessor_config.json``: 12,845,056).
        fence (bool): answers in a ```` ```json ```` fence. Default True.

    Config::

        box_coder = dict(type='Qwen2_5VLBoxCoder', max_pixels=28 * 28 * 1280)
    """

    def __init__(
        self,
        factor: int = 28,
        min_pixels: int = 56 * 56,
        max_pixels: int = 28 * 28 * 16384,
        fence: bool = True,
    ):
        super().__init__(fence=fence)
        check_pixels(min_pixels, max_pixels, factor)
        self.factor, self.min_pixels, self.max_pixels = (
            int(factor),
            int(min_pixels),
            int(max_pixels),
        )

    def resized_wh(self, img_wh) -> Tuple[int, int]:
        """``(W', H')``: the size the processor resizes an image of
        ``img_wh`` to (transformers' ``smart_resize``)."""
        # imported here: the module pulls in transformers' model code (~3 CPU-s),
        # which a process that only reads data (make_toy, build_tokenizer) never needs
        from transformers.models.qwen2_vl.image_processing_qwen2_vl import smart_resize

        w, h = self._check_img_wh(img_wh)
        rh, rw = smart_resize(
            int(round(h)),
            int(round(w)),
            factor=self.factor,
            min_pixels=self.min_pixels,
            max_pixels=self.max_pixels,
        )
        return int(rw), int(rh)

    def coord_wh(self, img_wh):
        return self.resized_wh(img_wh)

    def _init_kwargs(self) -> dict:
        return dict(
            factor=self.factor,
            min_pixels=self.min_pixels,
            max_pixels=self.max_pixels,
            fence=self.fence,
        )
