"""Masked margin softmax: MCN's pairwise contrastive loss between modalities."""

import torch
import torch.nn as nn
import torch.nn.functional as F

from vltoolkit.registry import LOSSES


def mms_loss(sim: torch.Tensor, margin: float = 0.001) -> torch.Tensor:
    r"""The MMS loss of a square similarity matrix ``sim [B, B]`` whose
    diagonal holds the positive pairs (see :class:`MMSLoss`)."""
    if sim.dim() != 2 or sim.shape[0] != sim.shape[1]:
        raise ValueError(f'MMS needs a square [B, B] similarity matrix, got {tuple(sim.shape)}')
    target = torch.arange(sim.shape[0], device=sim.device)
    sim = sim - margin * torch.eye(sim.shape[0], device=sim.device, dtype=sim.dtype)
    return F.cross_entropy(sim, target) + F.cross_entropy(sim.t(), target)


@LOSSES.register_module()
class MMSLoss(nn.Module):
    r"""Masked Margin Softmax (Ilharco et al. 2019), the contrastive loss MCN
    (Chen et al., ICCV 2021, arXiv 2104.12671, method section) puts on every pair
    of modalities.

    For embeddings :math:`x_i, y_i \in \mathbb{R}^D` of the :math:`B` clips
    of a batch (two modalities of the same clip are the positive pair), raw
    dot products (no normalisation, no temperature) and margin
    :math:`\delta`:

    .. math::
        S_{ij} = x_i^\top y_j - \delta\,[i = j],

        L_{MMS}(x, y) = -\frac{1}{B} \sum_{i=1}^{B} \Big(
            \log \frac{e^{S_{ii}}}{\sum_{j} e^{S_{ij}}}
          + \log \frac{e^{S_{ii}}}{\sum_{j} e^{S_{ji}}} \Big)

    i.e. ``CE(S, diag) + CE(S^T, diag)``, both directions (x -> y retrieval
    and y -> x). MCN sums it over the modality pairs in use:
    :math:`L_{contrast} = L_{MMS}(t, v) + L_{MMS}(a, t) + L_{MMS}(a, v)`
    (public code ``loss.py`` / ``train_tri_kmeans.py``: margin 0.001).

    Args:
        margin (float): :math:`\delta`. Default 0.001.
        loss_weight (float): multiplies the loss. Default 1.

    ``forward(x [B, D], y [B, D]) -> scalar``.
    """

    def __init__(self, margin: float = 0.001, loss_weight: float = 1.0):
        super().__init__()
        self.margin = margin
        self.loss_weight = loss_weight

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        if x.shape != y.shape:
            raise ValueError(
                f'MMSLoss: paired embeddings differ in shape, {tuple(x.shape)} vs {tuple(y.shape)}'
            )
        return self.loss_weight * mms_loss(x @ y.t(), self.margin)
