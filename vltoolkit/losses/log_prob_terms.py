r"""The form every token loss is written in: a coefficient vector on
:math:`\log p`, defined once per loss and shared by the materialised and
the chunked path.

A token loss computes, for one position with logits :math:`z \in
\mathbb{R}^V` and :math:`\log p = \mathrm{log\_softmax}(z)`, coefficients
:math:`c \in \mathbb{R}^V` that carry no gradient (computed under
``no_grad`` from :math:`\log p` and the target) and

.. math::
    \ell = \sum_v c_v \log p_v, \qquad
    \nabla_z \ell = c - \Big(\sum_v c_v\Big)\, p.

Cross-entropy is :math:`c = -\tilde t` (the smoothed target); GEM is
:math:`c = q - t` (linear) or the logsigmoid form of
:class:`~vltoolkit.losses.GEMLoss`. A loss implements
``coefficients(log_p, target) -> LogProbCoefficients`` and nothing else
about its math:

* the materialised path (:func:`log_prob_loss`) lets autograd
  differentiate :math:`\sum_v c_v \log p_v` through the full log-softmax;
* the chunked path (:mod:`vltoolkit.losses.chunked_linear`) computes
  :math:`\ell` and :math:`\nabla_z \ell` in closed form
  (:func:`log_prob_loss_and_grad`), a chunk of positions at a time.

:math:`c` is written as a dense part plus a sparse part (``index``,
``value``: :math:`c_{i_k} \mathrel{+}= u_k`), so that a target id or a
distance-inverse label (a few nonzero entries) never becomes a
``[positions, V]`` tensor.
"""

from typing import NamedTuple, Optional

import torch


class SparseTarget(NamedTuple):
    """A target distribution by its support: row ``n`` puts mass
    ``weight[n, k]`` on token ``index[n, k]`` (``[N, K]`` each; entries
    with weight 0 are padding; an all-zero row is an ignored position)."""

    index: torch.Tensor  # type: ignore[assignment]  # shadows tuple.index on purpose
    weight: torch.Tensor

    @property
    def shape(self):
        return self.index.shape

    def __getitem__(self, item):
        return SparseTarget(self.index[item], self.weight[item])

    def to_dense(self, vocab_size: int) -> torch.Tensor:
        """The ``[N, vocab_size]`` float32 distribution."""
        out = self.weight.new_zeros(self.index.shape[0], vocab_size, dtype=torch.float32)
        return out.scatter_add_(1, self.index, self.weight.float())


class LogProbCoefficients(NamedTuple):
    r""":math:`c = \mathrm{dense} + \mathrm{scatter}(\mathrm{index},
    \mathrm{value})`, ``dense [n, V]`` or None, ``index`` / ``value``
    ``[n, K]`` or None; ``offset [n]`` (or None) is added to the value
    :math:`\ell` only.

    A loss that is not linear in :math:`\log p` (the Number Token Loss)
    is written at the current point as its linearisation: :math:`c` = its
    gradient :math:`\nabla_z \ell` (entries summing to 0, so
    :math:`\nabla_z \sum_v c_v \log p_v = c`) and ``offset`` =
    :math:`\ell - \sum_v c_v \log p_v`: the same value and the same
    gradient.
    """

    dense: Optional[torch.Tensor] = None
    index: Optional[torch.Tensor] = None  # type: ignore[assignment]  # shadows tuple.index
    value: Optional[torch.Tensor] = None
    offset: Optional[torch.Tensor] = None

    def plus(self, other: 'LogProbCoefficients') -> 'LogProbCoefficients':
        """The coefficients of the sum of both losses (sparse parts
        concatenated)."""

        def add(a, b):
            return b if a is None else a if b is None else a + b

        if self.index is None or other.index is None:
            index = self.index if other.index is None else other.index
            value = self.value if other.index is None else other.value
        else:
            assert self.value is not None and other.value is not None
            index = torch.cat([self.index, other.index], 1)
            value = torch.cat([self.value, other.value.to(self.value.dtype)], 1)
        return LogProbCoefficients(
            add(self.dense, other.dense), index, value, add(self.offset, other.offset)
        )

    def total(self) -> torch.Tensor:
        r""":math:`\sum_v c_v` per row, ``[n]``."""
        parts = []
        if self.dense is not None:
            parts.append(self.dense.sum(-1))
        if self.index is not None and self.value is not None:
            parts.append(self.value.sum(-1))
        if not parts:
            raise ValueError('LogProbCoefficients holds neither dense nor sparse coefficients')
        return parts[0] if len(parts) == 1 else parts[0] + parts[1]


def log_prob_loss(log_p: torch.Tensor, coef: LogProbCoefficients) -> torch.Tensor:
    r""":math:`\ell_n = \sum_v c_{nv} \log p_{nv}` per row, ``[n]``, with
    autograd through ``log_p`` (the materialised path)."""
    out = log_p.new_zeros(log_p.shape[0])
    if coef.dense is not None:
        out = out + (coef.dense * log_p).sum(-1)
    if coef.index is not None and coef.value is not None:
        out = out + (coef.value * log_p.gather(1, coef.index)).sum(-1)
    if coef.offset is not None:
        out = out + coef.offset
    return out


@torch.no_grad()
def log_prob_loss_and_grad(log_p: torch.Tensor, coef: LogProbCoefficients, scale=None):
    r""":math:`\ell_n` ``[n]`` and :math:`a_n \nabla_{z_n} \ell_n = a_n\,
    (c_n - (\sum_v c_{nv})\, p_n)` ``[n, V]`` in closed form (the chunked
    path), :math:`a` = ``scale [n]`` (default 1). ``log_p`` is left
    unchanged; two passes over ``[n, V]`` (exp, multiply) besides the
    coefficients."""
    loss = log_prob_loss(log_p, coef)
    factor = -coef.total()
    if scale is not None:
        factor = factor * scale
    grad = log_p.exp().mul_(factor.unsqueeze(-1))
    if coef.dense is not None:
        if scale is None:
            grad.add_(coef.dense)
        else:
            grad.addcmul_(coef.dense, scale.unsqueeze(-1))
    if coef.index is not None and coef.value is not None:
        value = coef.value if scale is None else coef.value * scale.unsqueeze(-1)
        grad.scatter_add_(1, coef.index, value.to(grad.dtype))
    return loss, grad


def upcast(t: torch.Tensor) -> torch.Tensor:
    """Half and bfloat16 to float32; float32 and float64 unchanged."""
    return t.float() if t.dtype in (torch.float16, torch.bfloat16) else t


def id_coefficients(ids: torch.Tensor, value: float = -1.0, dtype=torch.float32):
    """The sparse part ``value * e_y`` for target ids ``[n]`` (ignored ids
    are clamped to 0; the caller masks their rows)."""
    index = ids.clamp(min=0).unsqueeze(-1)
    return index, torch.full(index.shape, value, dtype=dtype, device=ids.device)
