"""Qwen3-VL boxes: integers relative to 0..1000."""

from vltoolkit.registry import BOX_CODERS

from .text_box_coder import TextBoxCoder


@BOX_CODERS.register_module()
class Qwen3VLBoxCoder(TextBoxCoder):
    r"""A box as the integers Qwen3-VL writes: coordinates relative to
    ``[0, scale]`` (``scale`` = 1000), whatever the image size:

    .. math::

        v_x = \operatorname{round}\Big(\frac{x}{w}\,1000\Big), \qquad
        \hat x = \frac{v_x}{1000}\,w

    The answer is ``[{"bbox_2d": [x1, y1, x2, y2], "label": "..."}]`` (see
    :class:`~vltoolkit.tokenization.text_box_coder.TextBoxCoder`); Qwen2-VL's
    ``<|box_start|>(x1,y1),(x2,y2)<|box_end|>`` answers use the same
    0..1000 space, so this coder reads them too.

    Test vector: ``[100, 50, 300, 400]`` in 640x480 ->
    ``[156, 104, 469, 833]``.

    Args:
        scale (int): the coordinate range. Default 1000.
        fence (bool): answers in a ```` ```json ```` fence. Default True.

    Config::

        box_coder = dict(type='Qwen3VLBoxCoder')
    """

    def __init__(self, scale: int = 1000, fence: bool = True):
        super().__init__(fence=fence)
        if int(scale) != scale or scale < 1:
            raise ValueError(f'scale must be a positive integer, got {scale!r}')
        self.scale = int(scale)

    def coord_wh(self, img_wh):
        self._check_img_wh(img_wh)
        return self.scale, self.scale

    def _init_kwargs(self) -> dict:
        return dict(scale=self.scale, fence=self.fence)
