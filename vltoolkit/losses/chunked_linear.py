r"""Token losses from hidden states and the LM head, a chunk of positions at
a time: the ``[positions, V]`` logits never exist.

For the rows :math:`h_n \in \mathbb{R}^D` that have a target, the LM head
:math:`(W \in \mathbb{R}^{V \times D}, b)` and an optional soft cap
:math:`s` (Gemma 2's ``final_logit_softcapping``):

.. math::
    z_n = W h_n + b \;\;\big(\text{then } z_n \leftarrow s \tanh(z_n / s)\big),
    \qquad
    L = \lambda \sum_n a_n\, \ell(z_n, t_n)

with :math:`a_n` = ``weight / avg_factor`` (what
:func:`~vltoolkit.losses.utils.masked_mean` multiplies the position by) and
:math:`\lambda` the loss's ``loss_weight``. The loss's
``coefficients(log_p, target)`` give :math:`\ell` and
:math:`g_n = \nabla_{z_n}\ell` in closed form
(:func:`~vltoolkit.losses.log_prob_terms.log_prob_loss_and_grad`), in
float32 (float64 stays float64), a chunk of ``chunk_size`` rows at a time. The gradients are
accumulated in the same pass (as Liger-Kernel's fused linear
cross-entropy does):

.. math::
    \nabla_{h_n} L = \lambda a_n\, W^\top g_n, \qquad
    \nabla_W L = \lambda \sum_n a_n\, g_n h_n^\top, \qquad
    \nabla_b L = \lambda \sum_n a_n\, g_n

and ``backward`` only scales them by the incoming gradient. Peak memory
beyond the inputs and :math:`\nabla_W` (which autograd holds anyway) is a
few ``[chunk_size, V]`` float32 buffers; compute is the materialised
path's (three matmuls), with no recomputation. Parameters that do not
require a gradient (a frozen LM head) get none computed.
"""

from typing import Callable, Optional

import torch
import torch.nn.functional as F

from .log_prob_terms import log_prob_loss_and_grad, upcast
from .utils import position_scale

#: the default number of target positions projected at once
DEFAULT_CHUNK_SIZE = 256


class _ChunkedLinearLogProbLoss(torch.autograd.Function):
    @staticmethod
    def forward(ctx, hidden, weight, bias, scale, coefficients, target_of, chunk_size, softcap):
        need_h, need_w = hidden.requires_grad, weight.requires_grad
        need_b = bias is not None and bias.requires_grad
        n = hidden.shape[0]
        total = torch.zeros((), dtype=upcast(hidden[:0]).dtype, device=hidden.device)
        grad_h = torch.empty_like(hidden) if need_h else None
        acc = upcast(weight[:0]).dtype  # float32 accumulators for half weights
        grad_w = torch.zeros(weight.shape, dtype=acc, device=weight.device) if need_w else None
        grad_b = torch.zeros(weight.shape[0], dtype=acc, device=weight.device) if need_b else None
        with torch.no_grad():
            for start in range(0, n, chunk_size):
                end = min(n, start + chunk_size)
                h = hidden[start:end]
                z = upcast(F.linear(h, weight, bias))
                if softcap is not None:
                    capped = torch.tanh_(z.div_(softcap))
                    z = capped * softcap
                log_p = F.log_softmax(z, dim=-1)
                del z
                coef = coefficients(log_p, target_of(start, end))
                a = scale[start:end]
                loss, grad = log_prob_loss_and_grad(log_p, coef, a)
                del log_p, coef
                total += (loss * a).sum()
                if softcap is not None:
                    grad.mul_(1 - capped.square_())
                    del capped
                if need_b:
                    grad_b += grad.sum(0)
                grad = grad.to(weight.dtype)
                if need_h:
                    assert grad_h is not None
                    grad_h[start:end] = grad @ weight
                if need_w:
                    assert grad_w is not None
                    if grad_w.dtype == h.dtype:
                        grad_w.addmm_(grad.t(), h)
                    else:
                        grad_w += (grad.t() @ h.to(grad.dtype)).to(acc)
                del grad
        ctx.save_for_backward(grad_h, grad_w, grad_b)
        ctx.dtypes = (hidden.dtype, weight.dtype, None if bias is None else bias.dtype)
        ctx.used = False
        return total

    @staticmethod
    def backward(ctx, grad_out):
        if ctx.used:
            raise RuntimeError(
                'the chunked token loss was backpropagated twice (retain_graph=True); '
                'set model.loss_chunk_size=None for double backward'
            )
        ctx.used = True  # the saved gradients are scaled in place: no second W-sized copy
        grads = []
        for g, dtype in zip(ctx.saved_tensors, ctx.dtypes):
            grads.append(None if g is None else g.mul_(grad_out).to(dtype))
        return (*grads, None, None, None, None, None)


def chunked_linear_token_loss(
    loss,
    hidden: torch.Tensor,
    weight: torch.Tensor,
    ids: torch.Tensor,
    bias: Optional[torch.Tensor] = None,
    encode: Optional[Callable] = None,
    avg_factor=None,
    position_weight: Optional[torch.Tensor] = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    softcap: Optional[float] = None,
    places: Optional[torch.Tensor] = None,
) -> torch.Tensor:
    r"""``loss(F.linear(hidden, weight, bias), target, avg_factor,
    position_weight)`` without the ``[N, V]`` logits (module docstring).

    Args:
        loss: a token loss with ``coefficients(log_p, target)``,
            ``ignore_index`` and ``loss_weight``
            (:class:`~vltoolkit.losses.TokenCrossEntropyLoss`,
            :class:`~vltoolkit.losses.GEMLoss`).
        hidden (Tensor): ``[N, D]``, the LM head's input.
        weight (Tensor): the LM head's ``[V, D]``.
        ids (Tensor): target ids ``[N]``, ``ignore_index`` where none; only
            the rows with a target are projected.
        bias (Tensor, optional): ``[V]``.
        encode (callable, optional): target ids ``[n]`` -> the loss's
            target for these rows (ids, a dense ``[n, V]`` distribution or
            a :class:`~vltoolkit.losses.log_prob_terms.SparseTarget`),
            called per chunk; None uses the ids.
        avg_factor, position_weight: as ``avg_factor`` and ``weight`` of
            the loss's ``forward``.
        chunk_size (int): rows projected at once.
        softcap (float, optional): :math:`s` of :math:`s \tanh(z / s)`.
        places (Tensor, optional): ``[N]`` number places of the targets
            (:mod:`vltoolkit.tokenization.number_places`); given, ``encode``
            is called as ``encode(ids, places)`` per chunk.

    Returns:
        Tensor: the scalar loss (float32; float64 for float64 inputs); its
        gradient reaches ``hidden``, ``weight`` and ``bias``.
    """
    if not (isinstance(chunk_size, int) and chunk_size > 0):
        raise ValueError(f'chunk_size must be a positive int, got {chunk_size!r}')
    if hidden.dim() != 2 or ids.shape != hidden.shape[:1]:
        raise ValueError(
            f'hidden {tuple(hidden.shape)} and ids {tuple(ids.shape)} must be [N, D] and [N]'
        )
    valid = ids != loss.ignore_index
    dtype = upcast(hidden[:0]).dtype
    scale = position_scale(valid, avg_factor, position_weight, dtype) * float(loss.loss_weight)
    rows = valid.nonzero().squeeze(1)
    target_ids = ids.index_select(0, rows)
    target_places = None if places is None else places.index_select(0, rows)

    def target_of(start, end):
        chunk = target_ids[start:end]
        if encode is None:
            return chunk
        if target_places is None:
            return encode(chunk)
        return encode(chunk, target_places[start:end])

    return _ChunkedLinearLogProbLoss.apply(
        hidden.index_select(0, rows),
        weight,
        bias,
        scale.index_select(0, rows),
        loss.coefficients,
        target_of,
        chunk_size,
        softcap,
    )
