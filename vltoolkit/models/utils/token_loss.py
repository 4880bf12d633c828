"""The token loss shared by every text-generating model (one implementation).

:class:`TokenLossMixin` turns logits and target ids into the loss of the
model families that write text (``VisionSeq2Seq``, the pretrained VLMs): the
label encoder (one-hot or distance-inverse), the loss (token CE, GEM), and
the normalisation over the target tokens of the *global* batch.
"""

from typing import Optional

import torch
import torch.distributed as dist

from vltoolkit.losses.base_token_loss import accepts_weight
from vltoolkit.structures import IGNORE_INDEX


def _check_accepts_weight(loss) -> None:
    if not accepts_weight(loss):
        raise TypeError(
            f"loss_normalization='sample' passes weight=[N] to the loss, but "
            f'{type(loss).__name__}.forward takes no `weight`: subclass '
            'vltoolkit.losses.BaseTokenLoss (write per_position) or accept '
            'forward(logits, target, avg_factor=None, weight=None) '
            '(docs/custom_plugins.md, "The token-loss contract")'
        )


class TokenLossMixin:
    """Needs ``self.loss_module``, ``self.label_encoder`` (or None) and
    ``self.loss_normalization`` (``'token'`` or ``'sample'``).

    With ``'token'`` the loss is :math:`\\frac{1}{A}\\sum_{b,t} \\ell(z_{bt},
    y_{bt})` over the non-ignored targets, :math:`A` the count of target
    tokens of the global batch (summed over ranks, divided by the world
    size, so DDP's gradient average gives the single-process gradient); with
    ``'sample'`` each sample's tokens weigh ``1 / its target length`` and
    :math:`A` counts samples. Under exact gradient accumulation the divisor
    comes in ``avg_factor``. What the loss receives for each
    normalisation: :class:`~vltoolkit.losses.BaseTokenLoss`.
    """

    def token_loss(
        self, logits: torch.Tensor, labels: torch.Tensor, avg_factor: Optional[torch.Tensor] = None
    ) -> torch.Tensor:
        """``logits [B, T, V]`` and target ids ``labels [B, T]`` (-100 =
        ignored) -> the scalar loss."""
        ids = labels.reshape(-1)
        flat = logits.reshape(ids.shape[0], -1)
        target = ids
        if self.label_encoder is not None and not getattr(
            self.label_encoder, 'ids_equivalent', False
        ):
            target = self.label_encoder(ids, flat.shape[-1])
        if avg_factor is None:
            avg_factor = self.global_avg_factor(self.count_loss_units(labels))
        kwargs = {}
        if self.loss_normalization == 'sample':
            _check_accepts_weight(self.loss_module)
            lengths = (labels != IGNORE_INDEX).sum(1, keepdim=True).clamp(min=1)
            kwargs['weight'] = (1.0 / lengths).expand_as(labels).reshape(-1)
        return self.loss_module(flat, target, avg_factor=avg_factor, **kwargs)

    def count_loss_units(self, labels: torch.Tensor) -> torch.Tensor:
        """Target tokens (``'token'``) or samples with a target
        (``'sample'``) in ``labels [B, T]``, as float32."""
        if self.loss_normalization == 'sample':
            return (labels != IGNORE_INDEX).any(1).sum().to(torch.float32)
        return (labels != IGNORE_INDEX).sum().to(torch.float32)

    @staticmethod
    def global_avg_factor(count: torch.Tensor) -> torch.Tensor:
        """``count`` summed over ranks, divided by the world size.

        DDP averages gradients over ranks; dividing each rank's loss sum by
        this factor makes the averaged gradient that of the mean over the
        whole global batch, i.e. the single-process gradient.
        """
        count = count.to(torch.float32)
        if dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1:
            count = count.clone()
            dist.all_reduce(count)
            count = count / dist.get_world_size()
        return count
