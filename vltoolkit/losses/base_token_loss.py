"""The contract between a text-generating model and its token loss.

Stated once here and on docs/custom_plugins.md ("The token-loss contract");
:class:`~vltoolkit.models.utils.token_loss.TokenLossMixin` is the caller.
"""

import inspect

import torch
import torch.nn as nn

from vltoolkit.structures import IGNORE_INDEX

from .utils import masked_mean, split_target

#: the ``loss_normalization`` values of the text-generating models
LOSS_NORMALIZATIONS = ('token', 'sample')


class BaseTokenLoss(nn.Module):
    r"""Base of a token loss: what the model passes, what the loss returns.

    The model (``VisionSeq2Seq``, the pretrained VLMs) calls

    .. code-block:: python

        loss(logits, target, avg_factor=A)              # loss_normalization='token'
        loss(logits, target, avg_factor=A, weight=w)    # loss_normalization='sample'

    with

    - ``logits`` ``[N, V]``: the N = B x T target positions of the batch;
    - ``target``: class ids ``LongTensor[N]`` (``ignore_index``, -100, where
      ignored) or, after a label encoder that spreads mass (e.g.
      ``DistanceLabelEncoder``), a distribution ``[N, V]`` whose rows sum
      to 1 (ignored rows all zero);
    - ``avg_factor`` :math:`A`: the divisor, a scalar tensor. ``'token'``:
      the target tokens of the global batch; ``'sample'``: its samples with
      a target (both summed over ranks and divided by the world size, so
      DDP's gradient average is the single-process gradient);
    - ``weight`` :math:`w` ``[N]``: only with ``'sample'``:
      :math:`1 / L_b` at the positions of sample :math:`b`, whose target
      has :math:`L_b` tokens.

    and the loss returns the scalar

    .. math::
        \mathcal{L} = \lambda \, \frac{1}{A} \sum_{i \,\text{not ignored}} w_i \, \ell_i

    (:math:`w_i = 1` without ``weight``; :math:`A` = the number of
    non-ignored positions without ``avg_factor``; :math:`\lambda` =
    ``loss_weight``). So ``'token'`` is the mean over target tokens and
    ``'sample'`` the mean over samples of each sample's mean over its tokens.

    A subclass writes only :meth:`per_position`, the :math:`\ell_i` of every
    position (any finite value at ignored ones); :meth:`forward` applies the
    mask, the weights and the divisor. A loss that overrides ``forward``
    itself must accept ``avg_factor`` and ``weight`` as above.

    Args:
        ignore_index (int): target id of ignored positions. Default -100.
        loss_weight (float): :math:`\lambda`. Default 1.
    """

    def __init__(self, ignore_index: int = IGNORE_INDEX, loss_weight: float = 1.0):
        super().__init__()
        self.ignore_index = ignore_index
        self.loss_weight = loss_weight

    def per_position(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """:math:`\\ell_i` ``[N]`` for ``logits [N, V]`` and ``target`` (ids
        ``[N]`` or a distribution ``[N, V]``)."""
        raise NotImplementedError(f'{type(self).__name__} must implement per_position()')

    def forward(
        self,
        logits: torch.Tensor,
        target: torch.Tensor,
        avg_factor=None,
        weight=None,
    ) -> torch.Tensor:
        """The contract's scalar (see the class docstring)."""
        valid, _, _ = split_target(logits, target, self.ignore_index)
        per_position = self.per_position(logits, target)
        per_position = torch.where(valid, per_position, torch.zeros_like(per_position))
        return self.loss_weight * masked_mean(per_position, valid, avg_factor, weight)


def accepts_weight(loss: nn.Module) -> bool:
    """Whether ``loss(logits, target, avg_factor=..., weight=...)`` is a
    valid call (what ``loss_normalization='sample'`` makes)."""
    if isinstance(loss, BaseTokenLoss):
        return True
    try:
        params = inspect.signature(loss.forward).parameters
    except (TypeError, ValueError):
        return True  # cannot tell: let the call say
    return 'weight' in params or any(p.kind == p.VAR_KEYWORD for p in params.values())
