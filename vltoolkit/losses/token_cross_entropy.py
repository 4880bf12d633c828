"""Token-level cross-entropy for sequence generation."""

from typing import Optional, Union

import torch
import torch.nn.functional as F

from vltoolkit.registry import LOSSES
from vltoolkit.structures import IGNORE_INDEX

from .base_token_loss import BaseTokenLoss
from .log_prob_terms import (
    LogProbCoefficients,
    SparseTarget,
    id_coefficients,
    log_prob_loss,
    upcast,
)
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

    In the coefficient form of :mod:`vltoolkit.losses.log_prob_terms`,
    :math:`c = -\tilde t` (:meth:`coefficients`), which the materialised
    path (:meth:`forward`, on logits) and the chunked path
    (:func:`~vltoolkit.losses.chunked_linear.chunked_linear_token_loss`, on
    hidden states and the LM head) share. Half and bfloat16 logits are
    computed in float32.

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
        target: Union[torch.Tensor, SparseTarget],
        avg_factor: Union[float, torch.Tensor, None] = None,
        weight: Optional[torch.Tensor] = None,
    ) -> torch.Tensor:
        """Args: ``logits [N, V]``; ``target`` ids ``[N]``, a distribution
        ``[N, V]`` or a :class:`~vltoolkit.losses.log_prob_terms.SparseTarget`;
        ``avg_factor`` the divisor replacing the number of valid positions;
        ``weight [N]`` per-position weights."""
        valid, dist, ids = split_target(logits, target, self.ignore_index)
        log_p = F.log_softmax(upcast(logits), dim=-1)
        with torch.no_grad():
            coef = self.coefficients(log_p.detach(), ids if dist is None else dist)
        per_position = log_prob_loss(log_p, coef)
        return self.loss_weight * masked_mean(per_position, valid, avg_factor, weight)

    @torch.no_grad()
    def coefficients(self, log_p: torch.Tensor, target) -> LogProbCoefficients:
        r""":math:`c = -(1 - \varepsilon)\, t - \varepsilon / V` for the rows
        of ``log_p [n, V]`` (float32, or float64) and their target (ids ``[n]``, dense
        ``[n, V]`` or sparse)."""
        eps = self.label_smoothing
        dense = None
        if eps > 0:
            dense = torch.full_like(log_p, -eps / log_p.shape[-1])
        if isinstance(target, SparseTarget):
            return LogProbCoefficients(
                dense, target.index, -(1 - eps) * target.weight.to(log_p.dtype)
            )
        if target.dim() == 1:
            index, value = id_coefficients(target, -(1 - eps), log_p.dtype)
            return LogProbCoefficients(dense, index, value)
        soft = -(1 - eps) * target.to(log_p.dtype)
        return LogProbCoefficients(soft if dense is None else dense + soft)
