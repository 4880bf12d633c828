"""Symmetric InfoNCE (the CLIP loss) between paired image and text features."""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from vltoolkit.registry import LOSSES
from vltoolkit.utils.distributed import gather_batch

SIMILARITIES = ('cosine', 'dot')


@LOSSES.register_module()
class InfoNCELoss(nn.Module):
    r"""Symmetric InfoNCE between paired image and text features (CLIP).

    For a batch of ``B`` pairs, image features :math:`I \in \mathbb{R}^{B
    \times D}` and text features :math:`T \in \mathbb{R}^{B \times D}`:

    .. math::
        S = s \cdot f(I)\, f(T)^\top, \qquad
        \mathcal{L} = \tfrac{1}{2}\big[\mathrm{CE}(S, \mathrm{diag})
                      + \mathrm{CE}(S^\top, \mathrm{diag})\big]

    where ``CE(S, diag)`` is the mean over rows ``i`` of
    :math:`-\log \mathrm{softmax}(S_{i,:})_i` (image ``i`` must pick text
    ``i`` among all texts, and the transpose: text ``i`` picks image ``i``),
    and

    * ``similarity='cosine'``: :math:`f(x) = x / \lVert x \rVert_2` (CLIP,
      open_clip ``ClipLoss``);
    * ``similarity='dot'``: :math:`f(x) = x`, the raw dot product of seed
      002's modified InfoNCE (robust to question / image pairs whose content
      does not match, since a pair need not point the same way to score).

    :math:`s = e^{\text{log\_scale}}`, the inverse temperature, starts at
    :math:`\min(1 / \text{temperature}, \text{max\_scale})` (CLIP:
    1/0.07) and is learned when ``learnable_scale``. As in open_clip
    (``open_clip_train/train.py``), the forward pass does **not** clamp it,
    so :math:`\partial\mathcal{L} / \partial\,\text{log\_scale} = s
    \cdot \partial\mathcal{L} / \partial s` is never cut to 0 (a clamp in
    the forward pass freezes the scale for good once it crosses the bound);
    instead the parameter is clamped in place after every optimizer step,
    :math:`\text{log\_scale} \leftarrow \min(\text{log\_scale},
    \log \text{max\_scale})`, by :meth:`clamp_scale_`, which
    :class:`~vltoolkit.engine.hooks.LogitScaleClampHook` calls. A recipe
    that learns the scale adds the hook and keeps the scale out of weight
    decay::

        custom_hooks = [dict(type='LogitScaleClampHook')]
        optim_wrapper = dict(paramwise_cfg=dict(
            custom_keys={'align_loss.log_scale': dict(decay_mult=0.0)}))

    Under distributed training the features of all ranks are gathered with
    a gradient-carrying all-gather (:func:`vltoolkit.utils.distributed.gather_batch`), so every
    image meets the texts of the *global* batch as negatives and every rank
    computes the loss of the global batch: the value equals the
    single-process loss on the concatenated batch, and the DDP-averaged
    gradient equals the single-process gradient.

    Args:
        similarity (str): ``'cosine'`` or ``'dot'``. Default ``'cosine'``.
        temperature (float): initial temperature, ``s = 1 / temperature``.
        learnable_scale (bool): learn ``log_scale``. Default True.
        max_scale (float): upper bound of ``s``, applied to the initial value
            and by :meth:`clamp_scale_` after each optimizer step. Default
            100.
        gather_distributed (bool): use the global batch under DDP.
        loss_weight (float): multiplies the loss.

    Shapes: ``forward(image_feats [B, D], text_feats [B, D]) -> []``.
    """

    def __init__(
        self,
        similarity: str = 'cosine',
        temperature: float = 0.07,
        learnable_scale: bool = True,
        max_scale: float = 100.0,
        gather_distributed: bool = True,
        loss_weight: float = 1.0,
    ):
        super().__init__()
        if similarity not in SIMILARITIES:
            raise ValueError(f'similarity must be one of {SIMILARITIES}, got {similarity!r}')
        if not temperature > 0:
            raise ValueError(f'temperature must be > 0, got {temperature!r}')
        self.similarity = similarity
        if not max_scale > 0:
            raise ValueError(f'max_scale must be > 0, got {max_scale!r}')
        self.max_scale = float(max_scale)
        self.gather_distributed = gather_distributed
        self.loss_weight = loss_weight
        init = torch.tensor(min(math.log(1.0 / temperature), math.log(self.max_scale)))
        if learnable_scale:
            self.log_scale = nn.Parameter(init)
        else:
            self.register_buffer('log_scale', init)

    @property
    def scale(self) -> torch.Tensor:
        """The current inverse temperature ``s = exp(log_scale)``, with its
        gradient (no clamp here: see :meth:`clamp_scale_`)."""
        return self.log_scale.exp()

    @torch.no_grad()
    def clamp_scale_(self) -> None:
        """``log_scale <- min(log_scale, log(max_scale))`` in place (open_clip
        clamps ``logit_scale`` so after ``optimizer.step()``)."""
        self.log_scale.clamp_(max=math.log(self.max_scale))

    @staticmethod
    def check_pair(image_feats: torch.Tensor, text_feats: torch.Tensor) -> None:
        if image_feats.dim() != 2 or text_feats.dim() != 2 or image_feats.shape != text_feats.shape:
            raise ValueError(
                f'InfoNCELoss takes image_feats and text_feats of the same '
                f'shape [B, D]; got image_feats {tuple(image_feats.shape)} and '
                f'text_feats {tuple(text_feats.shape)} (project both to the '
                'same dimension first, one row per image-text pair).'
            )

    def logits(self, image_feats: torch.Tensor, text_feats: torch.Tensor) -> torch.Tensor:
        """``S`` of the (gathered) batch: ``[B_global, B_global]``."""
        self.check_pair(image_feats, text_feats)
        if self.similarity == 'cosine':
            image_feats = F.normalize(image_feats, dim=-1)
            text_feats = F.normalize(text_feats, dim=-1)
        if self.gather_distributed:
            image_feats = gather_batch(image_feats)
            text_feats = gather_batch(text_feats)
        return self.scale.to(image_feats.dtype) * image_feats @ text_feats.t()

    def forward(self, image_feats: torch.Tensor, text_feats: torch.Tensor) -> torch.Tensor:
        logits = self.logits(image_feats, text_feats)
        target = torch.arange(logits.shape[0], device=logits.device)
        loss = 0.5 * (F.cross_entropy(logits, target) + F.cross_entropy(logits.t(), target))
        return self.loss_weight * loss
