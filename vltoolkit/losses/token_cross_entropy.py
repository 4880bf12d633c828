"""Token-level cross-entropy for sequence generation."""

from typing import Optional, Union

import torch
import torch.nn.functional as F

from vltoolkit.registry import LOSSES
from vltoolkit.structures import IGNORE_INDEX

from .base_token_loss import BaseTokenLoss
from .utils import masked_mean, split_target


@LOSSES.register_module()
class TokenCrossEntropyLoss(BaseTokenLoss):
    r"""Cross-entropy over vocabulary logits, for ids or target distributions.

    For a position with logits :math:`z \in \mathbb{R}^V`, log-probabilities
    :math:`\log p = \mathrm{log\_softmax}(z)` and target distribution
    :math:`t` (one-hot :math:`e_y` for an id :math:`y`):

    .. math::
        \tilde t = (1 - \varepsilon)\, t + \varepsilon / V, \qquad
        \ell = -\sum_v \tilde t_v \log p_v

    and the loss is the mean of :math:`\ell` over non-ignored positions
    (``ignore_index`` ids, or all-zero distribution rows). With
    ``label_smoothing=0`` and ids this is ``F.cross_entropy``.

    Args:
        label_smoothing (float): :math:`\varepsilon`. Default 0.
        ignore_index (int): id of ignored positions. Default -100.
        loss_weight (float): multiplies the loss. Default 1.
    """

    def __init__(
        self,
        label_smoothing: float = 0.0,
        ignore_index: int = IGNORE_INDEX,
        loss_weight: float = 1.0,
    ):
        super().__init__()
        self.label_smoothing = label_smoothing
        self.ignore_index = ignore_index
        self.loss_weight = loss_weight

    def forward(
        self,
        logits: torch.Tensor,
        target: torch.Tensor,
        avg_factor: Union[float, torch.Tensor, None] = None,
        weight: Optional[torch.Tensor] = None,
    ) -> torch.Tensor:
        valid, dist, ids = split_target(logits, target, self.ignore_index)
        if dist is None:
            per_position = F.cross_entropy(
                logits,
                ids,
                ignore_index=self.ignore_index,
                reduction='none',
                label_smoothing=self.label_smoothing,
            )
        else:
            if self.label_smoothing > 0:
                dist = (1 - self.label_smoothing) * dist + self.label_smoothing / logits.shape[-1]
            per_position = -(dist * F.log_softmax(logits, dim=-1)).sum(-1)
        return self.loss_weight * masked_mean(per_position, valid, avg_factor, weight)
