"""Any timm image backbone as a sequence of visual tokens."""

import json
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
        pretrained_path (str, optional): local weights loaded through timm
            (nothing is downloaded): a weights file (``.pth`` /
            ``.safetensors``) for ``model_name``, or a folder saved with
            ``timm.models.save_for_hf`` (``config.json`` + weights), whose
            ``config.json`` gives the architecture and its arguments; its
            architecture must be ``model_name``.
        pos_embed (str): ``'learned'`` (default: the model's own position
            embedding, e.g. timm's ViT ``trunc_normal(std=0.02)``) or
            ``'sincos2d'``: a fixed 2-D sine-cosine embedding (MAE) over the
            patch grid, zero for prefix tokens, not trained. At random init
            timm's learned embedding is ~3% of a patch token's norm, so a
            from-scratch model first has to grow it before it can tell where
            a patch is; the fixed one gives every patch its row and column
            from the first step (the toy recipes use it to learn location
            tokens within minutes). ViT-like models only.
        **timm_kwargs: passed to ``timm.create_model`` (``img_size``,
            ``depth``, ``embed_dim``, ...).

    The wrapped model is fully initialised here (random or from the weights
    file) and marked initialised (:mod:`vltoolkit.compat.init_weights`) so that mmengine's
    ``Runner.init_weights()``
    does not re-initialise it and wipe loaded weights.
    """

    def __init__(
        self,
        model_name: str,
        pretrained_path: str = None,
        pos_embed: str = 'learned',
        **timm_kwargs,
    ):
        super().__init__()
        if pos_embed not in ('learned', 'sincos2d'):
            raise ValueError(f"pos_embed={pos_embed!r}: use 'learned' or 'sincos2d'")
        timm_kwargs.setdefault('num_classes', 0)
        if pretrained_path is not None and osp.isdir(pretrained_path):
            self.model = self._from_folder(model_name, pretrained_path, timm_kwargs)
        elif pretrained_path is not None and not osp.isfile(pretrained_path):
            raise FileNotFoundError(
                f'pretrained_path {pretrained_path!r} of timm model '
                f'{model_name!r} does not exist; give a local weights file or '
                'a folder saved with timm.models.save_for_hf (vltoolkit never '
                'downloads weights).'
            )
        else:
            pretrained_cfg = None
            if pretrained_path is not None:
                pretrained_cfg = dict(file=pretrained_path)
            self.model = timm.create_model(
                model_name,
                pretrained=pretrained_path is not None,
                pretrained_cfg_overlay=pretrained_cfg,
                **timm_kwargs,
            )
        if pos_embed == 'sincos2d':
            _set_sincos2d_pos_embed(self.model, model_name)
        mark_initialized(self.model)
        mark_initialized(self)
        self.out_channels = self.model.num_features

    @staticmethod
    def _from_folder(model_name: str, folder: str, timm_kwargs: dict) -> nn.Module:
        config_file = osp.join(folder, 'config.json')
        if not osp.isfile(config_file):
            raise FileNotFoundError(
                f'pretrained_path {folder!r} is a folder without config.json; '
                'save the timm model with timm.models.save_for_hf(model, folder) '
                'or give its weights file'
            )
        with open(config_file) as f:
            architecture = json.load(f).get('architecture')
        if architecture != model_name:
            raise ValueError(
                f'pretrained_path {folder!r} holds a {architecture!r} model but '
                f'the config asks for model_name={model_name!r}; set model_name '
                'to the saved architecture'
            )
        return timm.create_model(f'local-dir:{osp.abspath(folder)}', pretrained=True, **timm_kwargs)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        feats = self.model.forward_features(images)
        if feats.dim() == 4:  # CNN: [B, C, H, W] -> [B, H*W, C]
            feats = feats.flatten(2).transpose(1, 2)
        return feats


def _set_sincos2d_pos_embed(model: nn.Module, model_name: str) -> None:
    """Replace a ViT's learned position embedding by a fixed 2-D sin-cos one."""
    from timm.layers import build_sincos2d_pos_embed

    pos = getattr(model, 'pos_embed', None)
    grid = getattr(getattr(model, 'patch_embed', None), 'grid_size', None)
    if not isinstance(pos, nn.Parameter) or grid is None:
        raise ValueError(
            f"pos_embed='sincos2d' needs a ViT-like timm model "
            f'with a pos_embed parameter and a patch grid; '
            f'{model_name!r} has none'
        )
    table = build_sincos2d_pos_embed(list(grid), dim=pos.shape[-1])
    num_prefix = pos.shape[1] - table.shape[0]
    with torch.no_grad():
        pos.zero_()
        pos[0, num_prefix:] = table.to(pos.dtype)
    pos.requires_grad_(False)
