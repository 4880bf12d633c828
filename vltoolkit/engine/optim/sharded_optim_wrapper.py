"""Gradient clipping by the global norm when gradients are sharded (FSDP)."""

import math

import torch
import torch.distributed as dist
from mmengine.optim import AmpOptimWrapper, OptimWrapper

from vltoolkit.registry import OPTIM_WRAPPERS

from .autocast_optim_wrapper import AutocastOptimWrapper


def sharded_clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0) -> torch.Tensor:
    """``clip_grad_norm_`` for parameters whose gradients are shards.

    Under FSDP (``FULL_SHARD`` / ``SHARD_GRAD_OP``) each rank holds a
    disjoint shard of every gradient, so the global norm is

        ||g|| = (sum over ranks of sum_i |g_i|^p)^(1/p)   (max over ranks for p=inf)

    and every rank scales its shard by ``min(1, max_norm / (||g|| + 1e-6))``,
    as ``torch.nn.utils.clip_grad_norm_`` does for an unsharded model.
    mmengine's ``OptimWrapper`` would clip each shard by its own norm.
    Returns the global norm.
    """
    grads = [p.grad for p in parameters if p.grad is not None]
    norm_type = float(norm_type)
    device = grads[0].device if grads else torch.device('cpu')
    if norm_type == math.inf:
        local = max(
            (g.detach().abs().max() for g in grads if g.numel()),
            default=torch.zeros((), device=device),
        ).float()
        op = dist.ReduceOp.MAX
    else:
        local = sum(
            (g.detach().float().norm(norm_type) ** norm_type for g in grads if g.numel()),
            torch.zeros((), device=device),
        )
        op = dist.ReduceOp.SUM
    total = local.clone()
    if dist.is_available() and dist.is_initialized():
        dist.all_reduce(total, op=op)
    if norm_type != math.inf:
        total = total ** (1.0 / norm_type)
    coef = torch.clamp(max_norm / (total + 1e-6), max=1.0)
    for g in grads:
        g.detach().mul_(coef.to(g.device, g.dtype))
    return total


class ShardedClipGradMixin:
    """Makes ``clip_grad=dict(max_norm=...)`` clip by the global norm over
    all shards (:func:`sharded_clip_grad_norm_`). The FSDP strategy of
    ``configs/_base_/strategies/fsdp.py`` swaps the recipe's wrapper for its
    ``Sharded*`` twin (``vltoolkit.engine.runner.strategy``)."""

    def _clip_grad(self) -> None:
        if self.clip_func is not torch.nn.utils.clip_grad_norm_:
            return super()._clip_grad()  # by value: elementwise, shard-safe
        params = [p for group in self.optimizer.param_groups for p in group['params']]
        # every rank joins the all-reduce, even one whose shards are empty
        grad = sharded_clip_grad_norm_(params, **self.clip_grad_kwargs)
        self.message_hub.update_scalar(f'train/{self.grad_name}', float(grad))


@OPTIM_WRAPPERS.register_module()
class ShardedOptimWrapper(ShardedClipGradMixin, OptimWrapper):
    """``OptimWrapper`` clipping by the global norm over shards."""


@OPTIM_WRAPPERS.register_module()
class ShardedAmpOptimWrapper(ShardedClipGradMixin, AmpOptimWrapper):
    """``AmpOptimWrapper`` (GPU) clipping by the global norm over shards."""


@OPTIM_WRAPPERS.register_module()
class ShardedAutocastOptimWrapper(ShardedClipGradMixin, AutocastOptimWrapper):
    """:class:`AutocastOptimWrapper` clipping by the global norm over shards."""
