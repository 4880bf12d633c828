"""Binary cross-entropy against soft answer scores (VQA, as ViLT trains)."""

from typing import Union

import torch
import torch.nn as nn
import torch.nn.functional as F

from vltoolkit.registry import LOSSES


@LOSSES.register_module()
class SoftTargetBCELoss(nn.Module):
    r"""Per-class binary cross-entropy with soft targets, summed over classes.

    For logits :math:`z \in \mathbb{R}^{B \times C}` and soft scores
    :math:`t \in [0, 1]^{B \times C}` (VQA: 0.3 / 0.6 / 0.9 / 1 for 1 / 2 /
    3 / >=4 annotators giving answer ``c``):

    .. math::
        \ell_b = -\sum_c \big[t_{bc} \log\sigma(z_{bc})
                 + (1 - t_{bc}) \log(1 - \sigma(z_{bc}))\big], \qquad
        \mathcal{L} = \frac{1}{B} \sum_b \ell_b

    i.e. ``F.binary_cross_entropy_with_logits(z, t) * C``, the loss of ViLT
    (``compute_vqa``) and of transformers' ``ViltForQuestionAnswering``.

    Args:
        loss_weight (float): multiplies the loss.

    ``forward(logits [B, C], target [B, C], avg_factor=None)``:
    ``avg_factor`` replaces ``B`` as the divisor (e.g. a global count).
    """

    def __init__(self, loss_weight: float = 1.0):
        super().__init__()
        self.loss_weight = loss_weight

    def forward(
        self,
        logits: torch.Tensor,
        target: torch.Tensor,
        avg_factor: Union[float, torch.Tensor, None] = None,
    ) -> torch.Tensor:
        if logits.shape != target.shape or logits.dim() != 2:
            raise ValueError(
                f'logits {tuple(logits.shape)} and target '
                f'{tuple(target.shape)} must have the same shape '
                '[B, num_answers]'
            )
        per_sample = F.binary_cross_entropy_with_logits(
            logits, target.to(logits.dtype), reduction='none'
        ).sum(-1)
        if avg_factor is None:
            avg_factor = per_sample.shape[0]
        divisor = torch.clamp(
            torch.as_tensor(avg_factor, dtype=logits.dtype, device=logits.device), min=1e-6
        )
        return self.loss_weight * per_sample.sum() / divisor
