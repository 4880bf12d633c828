"""Helpers shared by the token losses: the target and divisor contract of
:class:`~vltoolkit.losses.BaseTokenLoss` (docs/custom_plugins.md, "The
token-loss contract")."""

from typing import Any, Optional, Tuple, Union

import torch

from vltoolkit.structures import IGNORE_INDEX


def split_target(
    logits: torch.Tensor, target: torch.Tensor, ignore_index: int = IGNORE_INDEX
) -> Tuple[torch.Tensor, Any, Any]:  # (valid, dist, ids): one of dist, ids is None
    """Normalise a target into ``(valid [N] bool, dist [N, V] or None, ids)``.

    ``target`` is either class ids ``LongTensor[N]`` (``ignore_index`` marks
    ignored positions) or a distribution ``FloatTensor[N, V]`` whose ignored
    rows are all zero (what the label encoders return for ``-100``).
    """
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


def masked_mean(
    per_position: torch.Tensor,
    valid: torch.Tensor,
    avg_factor: Union[float, torch.Tensor, None] = None,
    weight: Optional[torch.Tensor] = None,
) -> torch.Tensor:
    """Mean of ``per_position`` over ``valid`` positions.

    ``weight`` ([N], optional) multiplies each position before summing (e.g.
    ``1 / target length`` to normalise per sample instead of per token).

    ``avg_factor`` replaces the number of valid positions as the divisor (the
    model passes the global token count under data parallelism so that the
    DDP-averaged gradient equals the single-process one). With no valid
    position the result is an exact zero that still backpropagates.
    """
    if weight is not None:
        per_position = per_position * weight
    total = (per_position * valid).sum()
    if avg_factor is None:
        avg_factor = valid.sum()
    return total / torch.clamp(
        torch.as_tensor(avg_factor, dtype=total.dtype, device=total.device), min=1e-6
    )
