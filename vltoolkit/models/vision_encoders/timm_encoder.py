"""Any timm image backbone as a sequence of visual tokens."""
import os.path as osp

import timm
import torch
import torch.nn as nn

from vltoolkit.compat.init_weights import mark_initialized
from vltoolkit.registry import MODELS


@MODELS.register_module()
class TimmVisionEncoder(nn.Module):
    """Wrap ``timm.create_model(model_name)`` to output tokens ``[B, N, C]``.

    ViT-like models give their token sequence (prefix tokens included); CNNs
    give their last feature map flattened row-major (``N = H' * W'``).

    Args:
        model_name (str): any timm model name, e.g. ``'vit_tiny_patch16_224'``.
        pretrained_path (str, optional): a local weights file (``.pth`` /
            ``.safetensors``) loaded through timm; nothing is downloaded.
        **timm_kwargs: passed to ``timm.create_model`` (``img_size``,
            ``depth``, ``embed_dim``, ...).

    The wrapped model is fully initialised here (random or from the weights
    file) and marked initialised (:mod:`vltoolkit.compat.init_weights`) so that mmengine's ``Runner.init_weights()``
    does not re-initialise it and wipe loaded weights.
    """

    def __init__(self, model_name: str, pretrained_path: str = None,
                 **timm_kwargs):
        super().__init__()
        if pretrained_path is not None and not osp.isfile(pretrained_path):
            raise FileNotFoundError(
                f'pretrained_path {pretrained_path!r} of timm model '
                f'{model_name!r} does not exist; give a local weights file '
                '(vltoolkit never downloads weights).')
        timm_kwargs.setdefault('num_classes', 0)
        pretrained_cfg = None
        if pretrained_path is not None:
            pretrained_cfg = dict(file=pretrained_path)
        self.model = timm.create_model(
            model_name, pretrained=pretrained_path is not None,
            pretrained_cfg_overlay=pretrained_cfg, **timm_kwargs)
        mark_initialized(self.model)
        mark_initialized(self)
        self.out_channels = self.model.num_features

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        feats = self.model.forward_features(images)
        if feats.dim() == 4:  # CNN: [B, C, H, W] -> [B, H*W, C]
            feats = feats.flatten(2).transpose(1, 2)
        return feats
