"""GEM: entropic distribution matching for supervised fine-tuning."""

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

_H_CHOICES = ('linear', 'logsigmoid')


@LOSSES.register_module()
class GEMLoss(BaseTokenLoss):
    r"""GEM loss (Li et al. 2024, "Entropic Distribution Matching in
    Supervised Fine-tuning of LLMs: Less Overfitting and Better Diversity",
    arXiv 2408.16673), for target ids or target distributions.

    Reference: liziniu/GEM ``sft_trainer.py::gem_loss`` (commit e5b1430).
    For one position with logits :math:`z \in \mathbb{R}^V` and target id
    :math:`y`, with :math:`\mathrm{sg}` the stop-gradient:

    .. math::
        p = \mathrm{softmax}(z), \qquad
        q = \mathrm{sg}(\mathrm{softmax}(z / \beta)) \propto p^{1/\beta},

        w_v(y) = 1 \;\;(h=\mathrm{linear}), \qquad
        w_v(y) = \mathrm{sg}(\sigma(0.01\,(z_v - z_y)))
        \;\;(h=\mathrm{logsigmoid}),

        \ell(z, y) = \sum_v q_v\, w_v(y)\, (\log p_v - \log p_y).

    Gradients: :math:`\nabla_z \ell = q - e_y` (linear; with
    :math:`\beta = 1` this is the cross-entropy gradient, although the value
    is :math:`\mathrm{CE} - H(p)`) and
    :math:`q \odot w - (\sum_v q_v w_v)\, e_y` (logsigmoid).

    For a target distribution :math:`t` (a row of a label encoder) the loss
    is the expectation of the per-id loss, :math:`\ell(z, t) =
    \sum_y t_y\, \ell(z, y)`:

    * linear: :math:`\ell = \sum_v q_v \log p_v - \sum_y t_y \log p_y
      = H(t, p) - H(q, p)`, gradient :math:`q - t`; the stationary point
      is :math:`z = \beta \log t`, i.e. :math:`p \propto t^\beta`;
    * logsigmoid: the double sum :math:`\sum_y t_y \sum_v q_v w_v(y)
      (\log p_v - \log p_y)` over the support of :math:`t`.

    Implementation. Since :math:`q` and :math:`w` carry no gradient, every
    case is linear in :math:`\log p`: :math:`\ell = \sum_v c_v \log p_v` with
    :math:`c = a - b`, :math:`a_v = q_v \sum_y t_y w_v(y)`,
    :math:`b_y = t_y \sum_v q_v w_v(y)` (linear: :math:`c = q - t`). The
    coefficients :math:`c` (whose entries sum to 0, so :math:`c` is also the
    gradient) are computed under ``no_grad``; autograd only sees the
    ``[N, V]`` log-softmax. Cost: linear O(NV); logsigmoid O(NKV) time,
    where :math:`K` is the largest support size of a target row (1 for ids
    and one-hot rows), in row chunks of at most ``2**24`` elements of
    ``[rows, K, V]``, so :math:`[N, V, V]` is never built. The
    coefficients (:meth:`coefficients`) are the loss's only math: the
    materialised path (:meth:`forward`, on logits) and the chunked path
    (:func:`~vltoolkit.losses.chunked_linear.chunked_linear_token_loss`, on
    hidden states and the LM head, never holding ``[N, V]``) share them
    (:mod:`vltoolkit.losses.log_prob_terms`).

    Reduction: the mean of :math:`\ell` over non-ignored positions (ids
    equal to ``ignore_index``, or all-zero distribution rows), or the sum
    divided by ``avg_factor``; with no valid position the loss is an exact
    zero that still backpropagates (the official v1 gives NaN). Half and
    bfloat16 logits are computed in float32.

    Args:
        beta (float): :math:`\beta > 0`, the temperature of :math:`q`.
            Default 0.7 (the official default).
        h (str): ``'linear'`` or ``'logsigmoid'``. Default ``'linear'``.
        ignore_index (int): id of ignored positions. Default -100.
        loss_weight (float): multiplies the loss. Default 1.

    Raises:
        ValueError: at build for ``beta <= 0`` or an unknown ``h``; in
            ``forward`` for a valid target row that does not sum to 1
            (tolerance 1e-3) or has a negative entry.

    Example:
        >>> loss = GEMLoss(beta=0.7)
        >>> logits = torch.randn(4, 10, requires_grad=True)
        >>> loss(logits, torch.tensor([1, 2, -100, 3])).backward()
    """

    #: largest ``rows * K * V`` block materialised by the logsigmoid path
    max_chunk_elements = 2**24
    #: tolerance on the row sums of a soft target
    sum_tolerance = 1e-3

    def __init__(
        self,
        beta: float = 0.7,
        h: str = 'linear',
        ignore_index: int = IGNORE_INDEX,
        loss_weight: float = 1.0,
    ):
        super().__init__()
        if isinstance(beta, bool) or not float(beta) > 0:
            raise ValueError(f'GEMLoss: beta must be > 0, got {beta!r}')
        if h not in _H_CHOICES:
            raise ValueError(f'GEMLoss: h must be one of {_H_CHOICES}, got {h!r}')
        self.beta = float(beta)
        self.h = h
        self.ignore_index = ignore_index
        self.loss_weight = loss_weight

    def extra_repr(self) -> str:
        return (
            f'beta={self.beta}, h={self.h!r}, ignore_index='
            f'{self.ignore_index}, loss_weight={self.loss_weight}'
        )

    # ------------------------------------------------------------- forward
    def forward(
        self,
        logits: torch.Tensor,
        target: Union[torch.Tensor, SparseTarget],
        avg_factor: Union[float, torch.Tensor, None] = None,
        weight: Optional[torch.Tensor] = None,
    ) -> torch.Tensor:
        """Mean GEM loss; see the class docstring.

        Args:
            logits (Tensor): ``[N, V]``.
            target (Tensor | SparseTarget): ids ``LongTensor[N]``, a
                distribution ``FloatTensor[N, V]`` (ignored rows all zero)
                or its support, a
                :class:`~vltoolkit.losses.log_prob_terms.SparseTarget`.
            avg_factor (optional): divisor replacing the number of valid
                positions.
            weight (Tensor, optional): ``[N]`` per-position weights.
        """
        valid, dist, ids = split_target(logits, target, self.ignore_index)
        log_p = F.log_softmax(upcast(logits), dim=-1)
        with torch.no_grad():
            coef = self.coefficients(log_p.detach(), ids if dist is None else dist, valid)
        per_position = log_prob_loss(log_p, coef)
        return self.loss_weight * masked_mean(per_position, valid, avg_factor, weight)

    # ------------------------------------------------------------- helpers
    def _check_distribution(self, dist, valid):
        if isinstance(dist, SparseTarget):
            sums, negative = dist.weight.sum(-1), (dist.weight < 0).any(-1)
        else:
            sums, negative = dist.sum(-1), (dist < 0).any(-1)
        bad = valid & (((sums - 1).abs() > self.sum_tolerance) | negative)
        if torch.any(bad):  # one bool per batch; the message only on failure
            row = int(bad.nonzero()[0, 0])
            raise ValueError(
                f'GEMLoss: target distribution row {row} '
                + (
                    'has a negative entry'
                    if bool(negative[row])
                    else f'sums to {float(sums[row]):.6g}, not 1 (tolerance {self.sum_tolerance:g})'
                )
                + '; soft targets must be probability rows (ignored '
                'positions: all-zero rows)'
            )

    @torch.no_grad()
    def coefficients(self, log_p, target, valid=None) -> LogProbCoefficients:
        """``c`` with ``loss = sum_v c_v log p_v`` (no grad) for the rows of
        ``log_p [n, V]`` (float32, or float64) and their target (ids ``[n]``, dense
        ``[n, V]`` or sparse); the materialised and the chunked path share
        it (:mod:`vltoolkit.losses.log_prob_terms`). ``q`` and ``w`` depend
        on ``z`` only through differences, so ``log p`` stands in for ``z``.
        Soft rows are checked (sum 1, no negative entry) where ``valid``."""
        ids = target if isinstance(target, torch.Tensor) and target.dim() == 1 else None
        if ids is None:
            if valid is None:
                valid = (target.weight if isinstance(target, SparseTarget) else target).sum(-1) > 0
            self._check_distribution(target, valid)
        q = torch.softmax(log_p / self.beta, dim=-1)
        if self.h == 'linear':
            if ids is not None:
                return LogProbCoefficients(q, *id_coefficients(ids, -1.0, log_p.dtype))
            if isinstance(target, SparseTarget):
                return LogProbCoefficients(q, target.index, -target.weight.to(log_p.dtype))
            return LogProbCoefficients(q - target.to(log_p.dtype))
        # logsigmoid: support of each row as (index, mass) pairs [n, K]
        if ids is not None:
            idx, mass = id_coefficients(ids, 1.0, log_p.dtype)
        elif isinstance(target, SparseTarget):
            idx, mass = target.index, target.weight.to(log_p.dtype)
        else:
            k = int((target > 0).sum(-1).max()) if target.shape[0] else 1
            mass, idx = target.to(log_p.dtype).topk(max(k, 1), dim=-1)
        return LogProbCoefficients(self._logsigmoid_coefficients(log_p, q, idx, mass))

    def _logsigmoid_coefficients(self, z, q, idx, mass):
        n, v = z.shape
        k = idx.shape[1]
        coef = torch.empty_like(z)
        step = max(1, self.max_chunk_elements // max(1, k * v))
        for s in range(0, n, step):
            zc, qc = z[s : s + step], q[s : s + step]
            ic, mc = idx[s : s + step], mass[s : s + step]
            z_y = zc.gather(1, ic)  # [n, K]
            # w[n, k, v] = sigmoid(0.01 (z_v - z_{y_k}))
            w = torch.sigmoid(0.01 * (zc.unsqueeze(1) - z_y.unsqueeze(-1)))
            a = qc * torch.einsum('nk,nkv->nv', mc, w)
            b = mc * torch.einsum('nkv,nv->nk', w, qc)
            coef[s : s + step] = a.scatter_add(1, ic, -b)
        return coef
