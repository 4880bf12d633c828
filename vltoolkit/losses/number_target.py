"""The target of a loss that acts on the digits of numbers."""

from typing import Any, NamedTuple

import torch


class NumberTarget(NamedTuple):
    """What a loss with ``uses_number_places = True`` receives as its
    target: the label encoder's target (``target``: ids ``[N]``, a
    distribution ``[N, V]`` or a
    :class:`~vltoolkit.losses.log_prob_terms.SparseTarget`), the target ids
    ``[N]`` (the digit values) and their number places ``[N]``
    (:mod:`vltoolkit.tokenization.number_places`; -100: not a marked
    digit)."""

    target: Any
    ids: torch.Tensor
    places: torch.Tensor

    @property
    def shape(self):
        return self.ids.shape
