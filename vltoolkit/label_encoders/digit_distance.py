"""Distance-inverse target distributions over the ten digit tokens."""

from typing import Optional, Sequence, Union

import torch

from vltoolkit.registry import LABEL_ENCODERS
from vltoolkit.structures import IGNORE_INDEX
from vltoolkit.tokenization import VLTokenizer, build_tokenizer
from vltoolkit.tokenization.number_places import NO_PLACE, digit_token_ids

from .distance import DEFAULT_POWER, DEFAULT_WINDOW, check_params, distance_kernel_rows


@LABEL_ENCODERS.register_module()
class DigitDistanceLabelEncoder:
    r"""Distance-inverse labels for models that write coordinates as digits.

    A chat VLM whose tokenizer splits numbers writes the coordinate 523 as the tokens
    ``5``, ``2``, ``3``; each digit place is a 10-bin axis. At a target
    token that is a digit :math:`y \in \{0..9\}` of place :math:`p` of a box
    coordinate (``number_places`` of the pipeline, see
    :mod:`vltoolkit.tokenization.number_places`), the target spreads over
    the ten digit tokens :math:`j` by distance :math:`|y - j|`:

    .. math::
        k_{yj} = \frac{[|y - j| \le \mathrm{window}]}{(1 + |y - j| / s)^{\gamma}},
        \qquad
        T_{yj} = (1 - m)\, \frac{k_{yj}}{\sum_{j'} k_{yj'}} + m\, [y = j],

        t_{\mathrm{id}(j)} = w_p\, T_{yj} + (1 - w_p)\, [y = j]

    (:math:`T` is :class:`DistanceLabelEncoder`'s table over 10 bins;
    :math:`w_p` = ``place_weights[p]``, the share of the distance-inverse
    part at place :math:`p`: ``place_weights=(1, 1, 0)`` keeps one-hot
    labels in the hundreds place, where a near miss is 100 pixels off).
    Every other valid position (text, digits of a JSON ``label``, the
    digits of numbers the pipeline did not mark) gets the one-hot row
    :math:`e_y`; ignored positions an all-zero row. Rows sum to 1. GEM and
    token CE take these soft targets as they take :class:`DistanceLabelEncoder`'s.

    Args:
        tokenizer (dict | VLTokenizer): the model's tokenizer (a ``TOKENIZERS``
            config or an instance); it must write numbers digit by digit.
        power, scale, window, mix: :math:`\gamma, s`, the window and
            :math:`m`, as in :class:`DistanceLabelEncoder`. Defaults 2, 1, 4, 0.
        place_weights (Sequence[float]): :math:`w_p` for places 0 (units),
            1 (tens), ...; places past the list use its last entry, digits
            after a decimal point its first. Each in ``[0, 1]``. Default
            ``(1.0,)``: every place soft.
        ignore_index (int): id of ignored positions. Default -100.

    Config::

        label_encoder = dict(type='DigitDistanceLabelEncoder',
                             tokenizer={{_base_.tokenizer}}, power=2.0, window=4,
                             place_weights=(1.0,))
    """

    #: takes ``places=`` (the model passes the pipeline's number places)
    uses_number_places = True

    def __init__(
        self,
        tokenizer: Union[dict, VLTokenizer],
        power: float = DEFAULT_POWER,
        scale: float = 1.0,
        window: Optional[float] = DEFAULT_WINDOW,
        mix: float = 0.0,
        place_weights: Sequence[float] = (1.0,),
        ignore_index: int = IGNORE_INDEX,
    ) -> None:
        check_params(power, scale, window, mix)
        weights = [float(w) for w in place_weights]
        if not weights or not all(0.0 <= w <= 1.0 for w in weights):
            raise ValueError(f'place_weights must be values in [0, 1], got {place_weights!r}')
        self.power, self.scale, self.window, self.mix = power, scale, window, mix
        self.place_weights = tuple(weights)
        self.ignore_index = ignore_index
        built = build_tokenizer(tokenizer)
        ids = digit_token_ids(built)
        # None: a size-only placeholder tokenizer (count_params.py); refused at call time
        self.digit_ids = None if ids is None else torch.tensor(ids)
        self._tokenizer_repr = repr(built)
        values = torch.arange(10, dtype=torch.float64)
        dist = (values[:, None] - values[None, :]).abs()
        self.table = distance_kernel_rows(dist, power, scale, window, mix).float()
        self._cache: dict = {}

    def _tables(self, vocab_size, device):
        key = (int(vocab_size), str(device))
        if key not in self._cache:
            if self.digit_ids is None:
                raise RuntimeError(
                    f'DigitDistanceLabelEncoder: {self._tokenizer_repr} only sizes models '
                    '(no digit tokens to read): put the real tokenizer there'
                )
            if int(self.digit_ids.max()) >= vocab_size:
                raise ValueError(
                    f'DigitDistanceLabelEncoder: vocab_size {vocab_size} is too small for '
                    f'the digit token ids {self.digit_ids.tolist()}'
                )
            ids = self.digit_ids.to(device)
            value_of_id = torch.full((int(vocab_size),), -1, dtype=torch.long, device=device)
            value_of_id[ids] = torch.arange(10, device=device)
            weights = torch.tensor(self.place_weights, dtype=torch.float32, device=device)
            rows = self.table.to(device)
            self._cache[key] = (ids, value_of_id, weights, rows)
        return self._cache[key]

    def _digit_rows(self, target_ids, vocab_size, places):
        """``(valid, safe ids, is a marked digit, [N, 10] rows over the
        digit tokens)``."""
        if places is None or places.shape != target_ids.shape:
            raise ValueError(
                'DigitDistanceLabelEncoder needs places [N] with the target ids [N] '
                '(the pipeline\'s number_places; see TokenizeText)'
            )
        ids, value_of_id, weights, table = self._tables(vocab_size, target_ids.device)
        valid = target_ids != self.ignore_index
        safe = torch.where(valid, target_ids, torch.zeros_like(target_ids))
        value = value_of_id[safe]
        is_digit = valid & (places != NO_PLACE) & (value >= 0)
        w = weights[places.clamp(min=0, max=len(self.place_weights) - 1)].unsqueeze(-1)
        y = value.clamp(min=0)
        one_hot = torch.nn.functional.one_hot(y, 10).to(table.dtype)
        rows = (w * table[y] + (1 - w) * one_hot) * is_digit.unsqueeze(-1)
        return valid, safe, is_digit, rows, ids

    def __call__(
        self, target_ids: torch.Tensor, vocab_size: int, places: Optional[torch.Tensor] = None
    ) -> torch.Tensor:
        """Target ids ``[N]`` and their places ``[N]`` -> float32
        distributions ``[N, vocab_size]``."""
        valid, safe, is_digit, rows, ids = self._digit_rows(target_ids, vocab_size, places)
        out = torch.zeros(
            target_ids.shape[0], int(vocab_size), dtype=torch.float32, device=target_ids.device
        )
        out.index_copy_(1, ids, rows)
        out.scatter_add_(1, safe.unsqueeze(-1), (valid & ~is_digit).unsqueeze(-1).to(out.dtype))
        return out

    def sparse(
        self, target_ids: torch.Tensor, vocab_size: int, places: Optional[torch.Tensor] = None
    ):
        """The rows of :meth:`__call__` by their support, a
        :class:`~vltoolkit.losses.log_prob_terms.SparseTarget` ``[N, 10]``."""
        from vltoolkit.losses.log_prob_terms import SparseTarget

        valid, safe, is_digit, rows, ids = self._digit_rows(target_ids, vocab_size, places)
        index = torch.where(is_digit.unsqueeze(-1), ids.expand(len(safe), 10), safe.unsqueeze(-1))
        weight = rows.clone()
        weight[:, 0] += (valid & ~is_digit).to(weight.dtype)
        return SparseTarget(index, weight)

    def __repr__(self) -> str:
        return (
            f'{type(self).__name__}(power={self.power}, scale={self.scale}, '
            f'window={self.window}, mix={self.mix}, place_weights={self.place_weights})'
        )
