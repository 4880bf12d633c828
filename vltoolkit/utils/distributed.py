"""One cross-rank gather for contrastive losses and clustering (InfoNCE,
MCN): the global batch, uneven per-rank batches included."""

from typing import List, Literal, Tuple, Union, overload

import torch
import torch.distributed as dist

__all__ = ['world_size', 'rank', 'gather_batch']


def world_size() -> int:
    """Number of ranks, 1 without a process group."""
    return dist.get_world_size() if dist.is_available() and dist.is_initialized() else 1


def rank() -> int:
    """This process' rank, 0 without a process group."""
    return dist.get_rank() if dist.is_available() and dist.is_initialized() else 0


def _batch_sizes(n: int, device) -> List[int]:
    mine = torch.tensor([n], device=device, dtype=torch.long)
    sizes = [torch.zeros_like(mine) for _ in range(world_size())]
    dist.all_gather(sizes, mine)
    return [int(s.item()) for s in sizes]


@overload
def gather_batch(
    x: torch.Tensor, with_grad: bool = ..., return_slice: Literal[False] = ...
) -> torch.Tensor: ...


@overload
def gather_batch(
    x: torch.Tensor, with_grad: bool = ..., *, return_slice: Literal[True]
) -> Tuple[torch.Tensor, slice]: ...


def gather_batch(
    x: torch.Tensor, with_grad: bool = True, return_slice: bool = False
) -> Union[torch.Tensor, Tuple[torch.Tensor, slice]]:
    """All ranks' ``x`` ``[B_r, ...]`` concatenated in rank order.

    Ranks may hold different numbers of rows (the last batch of an epoch,
    task-grouped batches): ``x`` is padded to the largest ``B_r`` for the
    collective and the padding is cut off again. With ``with_grad`` the
    gather is ``torch.distributed.nn.functional.all_gather``, whose backward
    sums every rank's gradient for each rank's rows, so the other ranks'
    rows are not constants (mmengine's and torch's plain ``all_gather``
    return tensors without a graph); without it, a plain gather of a
    detached tensor.

    Args:
        x (Tensor): this rank's rows.
        with_grad (bool): keep the graph. Default True.
        return_slice (bool): also return the ``slice`` of this rank's rows
            in the result.

    Returns:
        Tensor ``[sum_r B_r, ...]`` (and the slice). Without a process group,
        or with one rank, ``x`` itself (and ``slice(0, B)``).
    """
    if world_size() == 1:
        return (x, slice(0, x.shape[0])) if return_slice else x
    sizes = _batch_sizes(x.shape[0], x.device)
    longest = max(sizes)
    padded = (
        x
        if x.shape[0] == longest
        else torch.cat([x, x.new_zeros((longest - x.shape[0], *x.shape[1:]))])
    )
    if with_grad:
        from torch.distributed.nn.functional import all_gather

        parts = all_gather(padded.contiguous())
    else:
        parts = [torch.empty_like(padded) for _ in sizes]
        dist.all_gather(parts, padded.detach().contiguous())
    out = torch.cat([part[:size] for part, size in zip(parts, sizes)])
    if not return_slice:
        return out
    start = sum(sizes[: rank()])
    return out, slice(start, start + x.shape[0])
