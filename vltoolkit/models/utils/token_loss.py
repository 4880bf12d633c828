"""The token loss shared by every text-generating model (one implementation).

:class:`TokenLossMixin` turns logits (or the LM head's input and the head)
and target ids into the loss of the model families that write text
(``VisionSeq2Seq``, the pretrained VLMs): the label encoder (one-hot or
distance-inverse), the loss (token CE, GEM), and the normalisation over
the target tokens of the *global* batch.
"""

from contextlib import contextmanager
from typing import Optional

import torch
import torch.distributed as dist

from vltoolkit.losses.base_token_loss import accepts_weight
from vltoolkit.losses.chunked_linear import chunked_linear_token_loss
from vltoolkit.losses.number_target import NumberTarget
from vltoolkit.structures import IGNORE_INDEX

from .lm_head import HeadInput, OutputHead, lm_head_input, output_head


def check_loss_chunk_size(value):
    """``loss_chunk_size`` is None (materialised logits) or a positive int."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ValueError(
            f'loss_chunk_size={value!r}: use None (the full logits) or a positive int '
            '(target positions projected to the vocabulary at once, e.g. 256)'
        )
    return value


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
    """Needs ``self.loss_module``, ``self.label_encoder`` (or None),
    ``self.loss_normalization`` (``'token'`` or ``'sample'``) and
    ``self.loss_chunk_size`` (None or an int; missing = None).

    With ``'token'`` the loss is :math:`\\frac{1}{A}\\sum_{b,t} \\ell(z_{bt},
    y_{bt})` over the non-ignored targets, :math:`A` the count of target
    tokens of the global batch (summed over ranks, divided by the world
    size, so DDP's gradient average gives the single-process gradient); with
    ``'sample'`` each sample's tokens weigh ``1 / its target length`` and
    :math:`A` counts samples. Under exact gradient accumulation the divisor
    comes in ``avg_factor``. What the loss receives for each
    normalisation: :class:`~vltoolkit.losses.BaseTokenLoss`.

    Chunked loss (``loss_chunk_size`` = an int): in ``mode='loss'`` the
    model hands :meth:`token_loss` the LM head's input and the head
    (:meth:`lm_logits` inside :meth:`loss_from_hidden_states`) instead of
    the logits, and the loss is computed ``loss_chunk_size`` target
    positions at a time
    (:func:`~vltoolkit.losses.chunked_linear.chunked_linear_token_loss`):
    the ``[B, T, V]`` logits and a dense ``[positions, V]`` soft target never
    exist. Same value and gradients; generation and ``mode='tensor'`` are
    unchanged.
    """

    # ------------------------------------------------------- model-facing
    @contextmanager
    def loss_from_hidden_states(self):
        """Inside, :meth:`lm_logits` returns a :class:`HeadInput` when the
        loss is chunked (``mode='loss'`` wraps the model call in it)."""
        previous = getattr(self, '_loss_from_hidden', False)
        self._loss_from_hidden = getattr(self, 'loss_chunk_size', None) is not None
        try:
            yield
        finally:
            self._loss_from_hidden = previous

    def lm_logits(self, hf_model, **kwargs):
        """``hf_model(**kwargs).logits``, or, inside
        :meth:`loss_from_hidden_states` with a chunked loss, the
        :class:`HeadInput` (the LM head's input and the head; no logits)."""
        if getattr(self, '_loss_from_hidden', False):
            return HeadInput(lm_head_input(hf_model, **kwargs), output_head(hf_model))
        return hf_model(**kwargs).logits

    # --------------------------------------------------------------- loss
    def token_loss(
        self,
        logits,
        labels: torch.Tensor,
        avg_factor: Optional[torch.Tensor] = None,
        number_places: Optional[torch.Tensor] = None,
    ) -> torch.Tensor:
        """``logits [B, T, V]`` (or a :class:`HeadInput`) and target ids
        ``labels [B, T]`` (-100 = ignored) -> the scalar loss.
        ``number_places [B, T]`` (the pipeline's, aligned with ``labels``)
        goes to a label encoder or loss that acts on digits
        (``uses_number_places``)."""
        if isinstance(logits, HeadInput):
            return self.token_loss_from_hidden(
                logits.hidden, logits.head, labels, avg_factor, number_places
            )
        ids = labels.reshape(-1)
        flat = logits.reshape(ids.shape[0], -1)
        places = self._flat_places(number_places, labels)
        encode = self._target_encoder(flat.shape[-1])
        target = ids if encode is None else encode(ids, places)
        avg_factor, weight = self._normalisation(labels, avg_factor)
        kwargs = {} if weight is None else dict(weight=weight)
        return self.loss_module(flat, target, avg_factor=avg_factor, **kwargs)

    def token_loss_from_hidden(
        self,
        hidden: torch.Tensor,
        head: OutputHead,
        labels: torch.Tensor,
        avg_factor: Optional[torch.Tensor] = None,
        number_places: Optional[torch.Tensor] = None,
    ) -> torch.Tensor:
        """The loss from the LM head's input ``hidden [B, T, D]`` and the
        head: chunked when ``loss_chunk_size`` is set, else through the full
        logits ``head.logits(hidden)`` (the same value)."""
        chunk_size = getattr(self, 'loss_chunk_size', None)
        if chunk_size is None:
            return self.token_loss(head.logits(hidden), labels, avg_factor, number_places)
        coefficients = getattr(self.loss_module, 'coefficients', None)
        if coefficients is None:
            raise TypeError(
                f'{type(self.loss_module).__name__} has no coefficients(log_p, target), '
                'which the chunked token loss needs (vltoolkit/losses/log_prob_terms.py); '
                'set model.loss_chunk_size=None'
            )
        avg_factor, weight = self._normalisation(labels, avg_factor)
        return chunked_linear_token_loss(
            self.loss_module,
            hidden.reshape(-1, hidden.shape[-1]),
            head.weight,
            labels.reshape(-1),
            bias=head.bias,
            encode=self._target_encoder(head.weight.shape[0], sparse=True),
            avg_factor=avg_factor,
            position_weight=weight,
            chunk_size=chunk_size,
            softcap=head.softcap,
            places=self._flat_places(number_places, labels),
        )

    def _flat_places(self, number_places, labels):
        """``number_places`` as ``[N]`` when the encoder or the loss acts on
        digits, else None; such a plugin without places is an error."""
        users = [
            type(m).__name__
            for m in (self.label_encoder, self.loss_module)
            if getattr(m, 'uses_number_places', False)
        ]
        if not users:
            return None
        if number_places is None:
            raise ValueError(
                f'{" and ".join(users)} act on the digits of box coordinates, but the batch '
                'has no number_places: tokenize the targets with TokenizeText and a box coder '
                "that writes numbers (a TextBoxCoder), or number_places='all' "
                '(docs/location_learning.md, "Digits of text numbers")'
            )
        if number_places.shape != labels.shape:
            raise ValueError(
                f'number_places {tuple(number_places.shape)} and labels '
                f'{tuple(labels.shape)} must have the same shape'
            )
        return number_places.reshape(-1)

    def _target_encoder(self, vocab_size, sparse=False):
        """``(ids [n], places [n] or None) -> the loss's target``, or None
        (the ids themselves): the label encoder's rows (its sparse form on
        the chunked path, when it has one), wrapped with the ids and places
        for a loss that acts on digits (:class:`NumberTarget`)."""
        enc = self.label_encoder
        if enc is None or getattr(enc, 'ids_equivalent', False):
            encode = None
        else:
            call = getattr(enc, 'sparse') if sparse and hasattr(enc, 'sparse') else enc
            if getattr(enc, 'uses_number_places', False):

                def encode(ids, places=None):
                    return call(ids, vocab_size, places=places)
            else:

                def encode(ids, places=None):
                    return call(ids, vocab_size)

        if not getattr(self.loss_module, 'uses_number_places', False):
            return encode

        def with_numbers(ids, places=None):
            target = ids if encode is None else encode(ids, places)
            return NumberTarget(target, ids, places)

        return with_numbers

    def _normalisation(self, labels, avg_factor):
        """``(avg_factor, per-position weight or None)`` of ``labels``."""
        if avg_factor is None:
            avg_factor = self.global_avg_factor(self.count_loss_units(labels))
        weight = None
        if self.loss_normalization == 'sample':
            _check_accepts_weight(self.loss_module)
            lengths = (labels != IGNORE_INDEX).sum(1, keepdim=True).clamp(min=1)
            weight = (1.0 / lengths).expand_as(labels).reshape(-1)
        return avg_factor, weight

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
