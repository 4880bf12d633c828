"""Local alignment of patch and token features by entropic optimal transport."""

import logging
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.logging import print_log

from vltoolkit.registry import LOSSES


def _check_mask(mask, shape, name, feats_name):
    if mask is None:
        return torch.ones(shape, dtype=torch.bool)
    if tuple(mask.shape) != tuple(shape):
        raise ValueError(
            f'{name} has shape {tuple(mask.shape)}, but '
            f'{feats_name} needs a mask of shape {tuple(shape)}'
        )
    return mask.bool()


@torch.no_grad()
def sinkhorn_log(
    cost: torch.Tensor,
    a_mask: Optional[torch.Tensor] = None,
    b_mask: Optional[torch.Tensor] = None,
    epsilon: float = 0.05,
    num_iters: int = 100,
    tol: Optional[float] = None,
) -> torch.Tensor:
    r"""Entropic OT plans of a batch, computed in the log domain.

    For each sample, with cost :math:`C \in \mathbb{R}^{N \times M}` and
    uniform marginals :math:`a = 1/n` over the ``n`` unpadded rows
    (``a_mask``) and :math:`b = 1/m` over the ``m`` unpadded columns:

    .. math::
        P^\star = \arg\min_{P \ge 0,\ P 1 = a,\ P^\top 1 = b}
                  \langle P, C \rangle + \varepsilon \sum_{ij} P_{ij}
                  \log P_{ij}

    by Sinkhorn's iterations on the dual potentials (POT's
    ``sinkhorn_log``: same initialisation ``u = v = 0`` and update order)::

        v = log b - logsumexp_i(-C/eps + u_i)
        u = log a - logsumexp_j(-C/eps + v_j)
        P = exp(-C/eps + u_i + v_j)

    which never forms ``exp(-C/eps)`` and so stays finite at small ``eps``
    (the plain-domain kernel underflows below ``eps`` ~ 1e-2 for costs in
    [0, 2]). Rows sum to ``a`` exactly after the last ``u`` update; columns
    converge to ``b``. Padded rows / columns get zero mass.

    Args:
        cost (Tensor): ``[B, N, M]``.
        a_mask, b_mask (BoolTensor, optional): ``[B, N]`` / ``[B, M]``, True
            at unpadded positions. Default: all True.
        epsilon (float): entropic regularisation :math:`\varepsilon`.
        num_iters (int): maximum number of iterations.
        tol (float, optional): stop early once every sample's column
            marginal is within ``tol`` (max abs error, checked every 10
            iterations as POT does).

    Returns:
        Tensor: the plans ``[B, N, M]`` (no gradient).
    """
    if cost.dim() != 3:
        raise ValueError(f'cost must be [B, N, M], got {tuple(cost.shape)}')
    B, N, M = cost.shape
    a_mask = _check_mask(a_mask, (B, N), 'a_mask', 'cost').to(cost.device)
    b_mask = _check_mask(b_mask, (B, M), 'b_mask', 'cost').to(cost.device)
    n = a_mask.sum(1, keepdim=True)
    m = b_mask.sum(1, keepdim=True)
    if (n == 0).any() or (m == 0).any():
        raise ValueError(
            'every sample needs at least one unpadded row and column (all-padding masks)'
        )
    neg_inf = torch.tensor(float('-inf'), dtype=cost.dtype, device=cost.device)
    log_a = torch.where(a_mask, -torch.log(n.to(cost.dtype)), neg_inf)
    log_b = torch.where(b_mask, -torch.log(m.to(cost.dtype)), neg_inf)
    valid = a_mask[:, :, None] & b_mask[:, None, :]
    log_k = torch.where(valid, -cost / epsilon, neg_inf)
    u = torch.zeros_like(log_a)
    v = torch.zeros_like(log_b)
    for it in range(num_iters):
        v = torch.where(b_mask, log_b - torch.logsumexp(log_k + u[:, :, None], dim=1), neg_inf)
        u = torch.where(a_mask, log_a - torch.logsumexp(log_k + v[:, None, :], dim=2), neg_inf)
        if tol is not None and it % 10 == 0:
            plan = torch.exp(log_k + u[:, :, None] + v[:, None, :])
            err = (plan.sum(1) - log_b.exp()).abs().amax()
            if err < tol:
                break
    return torch.exp(log_k + u[:, :, None] + v[:, None, :])


@LOSSES.register_module()
class SinkhornAlignLoss(nn.Module):
    r"""Transported cost between patch and token features (the Sinkhorn alignment study).

    For sample ``k`` with patch features :math:`x_1..x_N` and token features
    :math:`y_1..y_M` (unpadded positions only, by the masks):

    .. math::
        C_{ij} = 1 - \cos(x_i, y_j), \qquad
        D_k = \langle \mathrm{sg}(P^\star_k), C \rangle
            = \sum_{ij} P^\star_{ij} C_{ij}

    where :math:`P^\star` is the entropic OT plan of :func:`sinkhorn_log`
    (uniform marginals over unpadded positions) computed without gradient
    (``sg``), as UNITER's word-region alignment does. Minimising :math:`D`
    pulls each patch towards the tokens it is transported to, i.e. it
    maximises the similarity of the matched local pairs. The loss is

    * ``negatives=False``: :math:`\frac{1}{B} \sum_k D_k` (matched pairs);
    * ``negatives=True``: UNITER's form
      :math:`(\sum_k D_k - \sum_k D^{-}_k) / (2B)`, where :math:`D^{-}_k`
      pairs the patches of sample ``k`` with the tokens of sample
      ``k+1 mod B``, pushing mismatched pairs apart. A batch of one has no
      mismatched pair: its loss is the positives-only
      :math:`\frac{1}{B}\sum_k D_k`, and the first such batch logs a
      warning (once per loss instance; e.g. the last, partial batch of an
      epoch: set ``drop_last=True`` or a batch size that divides the data to
      avoid it). It is a warning, not an error, so that a long run does not
      die on its last batch.

    Usable with any model that exposes patch and token features of one
    dimension ``D``.

    Args:
        epsilon (float): entropic regularisation of the plan. Default 0.05.
        num_iters (int): Sinkhorn iterations. Default 50.
        tol (float, optional): early stop on the column marginals.
        negatives (bool): subtract mismatched pairs. Default False.
        loss_weight (float): multiplies the loss.

    Shapes: ``forward(patch_feats [B, N, D], token_feats [B, M, D],
    patch_mask [B, N] = None, token_mask [B, M] = None) -> []``.
    """

    def __init__(
        self,
        epsilon: float = 0.05,
        num_iters: int = 50,
        tol: Optional[float] = None,
        negatives: bool = False,
        loss_weight: float = 1.0,
    ):
        super().__init__()
        if not epsilon > 0:
            raise ValueError(f'epsilon must be > 0, got {epsilon!r}')
        self.epsilon = epsilon
        self.num_iters = num_iters
        self.tol = tol
        self.negatives = negatives
        self.loss_weight = loss_weight
        self._warned_batch_of_one = False

    @staticmethod
    def cost(patch_feats: torch.Tensor, token_feats: torch.Tensor) -> torch.Tensor:
        """``1 - cos``: ``[B, N, M]``."""
        return 1 - F.normalize(patch_feats, dim=-1) @ F.normalize(token_feats, dim=-1).transpose(
            1, 2
        )

    def _check(self, patch_feats, token_feats, patch_mask, token_mask):
        if (
            patch_feats.dim() != 3
            or token_feats.dim() != 3
            or patch_feats.shape[0] != token_feats.shape[0]
            or patch_feats.shape[2] != token_feats.shape[2]
        ):
            raise ValueError(
                'SinkhornAlignLoss takes patch_feats [B, N, D] and token_feats '
                f'[B, M, D] with the same B and D; got patch_feats '
                f'{tuple(patch_feats.shape)} and token_feats '
                f'{tuple(token_feats.shape)}.'
            )
        B, N, M = patch_feats.shape[0], patch_feats.shape[1], token_feats.shape[1]
        patch_mask = _check_mask(patch_mask, (B, N), 'patch_mask', 'patch_feats').to(
            patch_feats.device
        )
        token_mask = _check_mask(token_mask, (B, M), 'token_mask', 'token_feats').to(
            patch_feats.device
        )
        for name, mask in (('patch_mask', patch_mask), ('token_mask', token_mask)):
            empty = (~mask.any(1)).nonzero().flatten().tolist()
            if empty:
                raise ValueError(
                    f'{name} is all padding for sample(s) {empty}: optimal '
                    'transport needs at least one unpadded position per side '
                    '(check the attention mask / the empty text).'
                )
        return patch_mask, token_mask

    def _warn_batch_of_one(self) -> None:
        if self._warned_batch_of_one:
            return
        self._warned_batch_of_one = True
        print_log(
            'SinkhornAlignLoss(negatives=True) got a batch of one sample: '
            'there is no mismatched pair, so this batch (and any later '
            'batch of one) uses the positives-only loss mean_k D_k. Use '
            'drop_last=True or a batch size that divides the data to '
            'avoid it.',
            logger='current',
            level=logging.WARNING,
        )

    def transported_cost(
        self,
        patch_feats: torch.Tensor,
        token_feats: torch.Tensor,
        patch_mask: torch.Tensor,
        token_mask: torch.Tensor,
    ) -> torch.Tensor:
        """``D_k`` per sample, ``[B]`` (gradient through the cost only)."""
        cost = self.cost(patch_feats, token_feats)
        fixed = cost.detach()
        if fixed.dtype in (torch.float16, torch.bfloat16):  # AMP: plan in fp32
            fixed = fixed.float()
        plan = sinkhorn_log(fixed, patch_mask, token_mask, self.epsilon, self.num_iters, self.tol)
        return (plan.to(cost.dtype) * cost).sum((1, 2))

    def forward(
        self,
        patch_feats: torch.Tensor,
        token_feats: torch.Tensor,
        patch_mask: Optional[torch.Tensor] = None,
        token_mask: Optional[torch.Tensor] = None,
    ) -> torch.Tensor:
        patch_mask, token_mask = self._check(patch_feats, token_feats, patch_mask, token_mask)
        pos = self.transported_cost(patch_feats, token_feats, patch_mask, token_mask)
        if self.negatives and patch_feats.shape[0] < 2:
            self._warn_batch_of_one()
        if not self.negatives or patch_feats.shape[0] < 2:
            return self.loss_weight * pos.mean()
        neg = self.transported_cost(
            patch_feats, token_feats.roll(-1, 0), patch_mask, token_mask.roll(-1, 0)
        )
        loss = (pos.sum() - neg.sum()) / (pos.numel() + neg.numel())
        return self.loss_weight * loss
