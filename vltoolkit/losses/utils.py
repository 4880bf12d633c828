"""Helpers shared by the token losses: the target and divisor contract of
:class:`~vltoolkit.losses.BaseTokenLoss` (docs/custom_plugins.md, "The
token-loss contract")."""

from typing import Any, Optional, Tuple, Union

import torch

from vltoolkit.structures import IGNORE_INDEX

from .log_prob_terms import SparseTarget


def split_target(
    logits: torch.Tensor,
    target: Union[torch.Tensor, SparseTarget],
    ignore_index: int = IGNORE_INDEX,
) -> Tuple[torch.Tensor, Any, Any]:  # (valid, dist, ids): one of dist, ids is None
    """Normalise a target into ``(valid [N] bool, dist, ids)``.

    ``target`` is either class ids ``LongTensor[N]`` (``ignore_index`` marks
    ignored positions; returned as ``ids``, ``dist`` None), a distribution
    ``FloatTensor[N, V]`` whose ignored rows are all zero (what the label
    encoders return for ``-100``), or a
    :class:`~vltoolkit.losses.log_prob_terms.SparseTarget` (the support of
    such rows); the last two are returned as ``dist``.
    """
    if isinstance(target, SparseTarget):
        if target.index.shape[0] != logits.shape[0] or target.index.dim() != 2:
            raise ValueError(
                f'logits {tuple(logits.shape)} and sparse target '
                f'{tuple(target.index.shape)} must be [N, V] and [N, K]'
            )
        return target.weight.sum(-1) > 0, target, None
    if target.dim() == 1:
        if target.shape[0] != logits.shape[0]:
            raise ValueError(
                f'logits {tuple(logits.shape)} and target ids {tuple(target.shape)} disagree on N'
            )
        return target != ignore_index, None, target
    if target.shape != logits.shape:
        raise ValueError(
            f'logits {tuple(logits.shape)} and target '
            f'distribution {tuple(target.shape)} must have the '
            'same shape [N, V]'
        )
    return target.sum(-1) > 0, target.to(logits.dtype), None


def position_scale(valid: torch.Tensor, avg_factor=None, weight=None, dtype=torch.float32):
    """What each position's loss is multiplied by in :func:`masked_mean`:
    ``valid * weight / max(avg_factor, 1e-6)``, ``[N]`` (``avg_factor``
    defaults to the number of valid positions)."""
    scale = valid.to(dtype)
    if weight is not None:
        scale = scale * weight.to(dtype)
    if avg_factor is None:
        avg_factor = valid.sum()
    divisor = torch.as_tensor(avg_factor, dtype=dtype, device=valid.device)
    return scale / torch.clamp(divisor, min=1e-6)


def masked_mean(
    per_position: torch.Tensor,
    valid: torch.Tensor,
    avg_factor: Union[float, torch.Tensor, None] = None,
    weight: Optional[torch.Tensor] = None,
) -> torch.Tensor:
    """Mean of ``per_position`` over ``valid`` positions:
    ``sum(per_position * position_scale(valid, avg_factor, weight))``.

    ``weight`` ([N], optional) multiplies each position before summing (e.g.
    ``1 / target length`` to normalise per sample instead of per token).

    ``avg_factor`` replaces the number of valid positions as the divisor (the
    model passes the global token count under data parallelism so that the
    DDP-averaged gradient equals the single-process one). With no valid
    position the result is an exact zero that still backpropagates.
    """
    scale = position_scale(valid, avg_factor, weight, per_position.dtype)
    # where() keeps a non-finite loss of an ignored row out of the sum
    return torch.where(valid, per_position * scale, per_position.new_zeros(())).sum()
