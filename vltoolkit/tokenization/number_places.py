r"""Which target tokens are digits of a number, and their place value.

The digit-level losses (:class:`~vltoolkit.label_encoders.DigitDistanceLabelEncoder`,
:class:`~vltoolkit.losses.NumberTokenLoss`) act on the digits of box
coordinates only: a JSON ``"label"`` with digits ("2 people") or a digit in
a relation name keeps plain cross-entropy. Which digits those are is known
where the text is made, so the data pipeline
(:class:`~vltoolkit.datasets.transforms.TokenizeText`) marks them, next to
the target ids, as a *place* per token:

* ``p >= 0``: the token is the digit of :math:`10^p` of a number
  (``523``: ``5`` has place 2, ``2`` place 1, ``3`` place 0);
* ``-k``: the ``k``-th digit after a decimal point;
* :data:`NO_PLACE` (-100): any other token (text, special tokens, a token
  that holds several digits at once, ignored and padded positions).

A digit's value is its token (``'0'`` ... ``'9'``); the place says where
it sits. Which numbers are marked: ``'coordinates'`` (the numbers of the
boxes the box coder writes, :meth:`TextBoxCoder.coordinate_spans
<vltoolkit.tokenization.TextBoxCoder.coordinate_spans>`) or ``'all'``
(every number of the text, as the ``ntloss`` reference treats every digit).
"""

import re
from typing import Dict, List, Optional, Sequence, Tuple

#: the place of a token that is not a marked digit (equal to the ignore index)
NO_PLACE = -100
#: what :func:`token_number_places` can mark
NUMBER_SCOPES = ('coordinates', 'all')

_NUMBER = re.compile(r'\d+(?:\.\d+)?')


def number_spans(text: str) -> List[Tuple[int, int]]:
    """``(start, end)`` character spans of every number of ``text``
    (digits, optionally a decimal point and more digits)."""
    return [m.span() for m in _NUMBER.finditer(text)]


def digit_places(text: str, spans: Sequence[Tuple[int, int]]) -> Dict[int, int]:
    """Character index -> place, for every digit inside ``spans``."""
    places = {}
    for start, end in spans:
        number = text[start:end]
        point = number.find('.')
        whole = len(number) if point == -1 else point
        for i, char in enumerate(number):
            if char.isdigit():
                places[start + i] = whole - 1 - i if i < whole else whole - i
    return places


def token_number_places(
    text: str, offsets: Sequence[Tuple[int, int]], spans: Sequence[Tuple[int, int]]
) -> List[int]:
    """The place of each token of ``text`` (``offsets``: its character span,
    ``(0, 0)`` for special tokens) among the digits of ``spans``;
    :data:`NO_PLACE` for a token that is not exactly one such digit."""
    places = digit_places(text, spans)
    out = []
    for start, end in offsets:
        single = end - start == 1 and start in places
        out.append(places[start] if single else NO_PLACE)
    return out


def check_number_scope(scope: str) -> str:
    if scope not in NUMBER_SCOPES:
        raise ValueError(f'number scope {scope!r}: use one of {NUMBER_SCOPES}')
    return scope


def digit_token_ids(tokenizer) -> Optional[List[int]]:
    """The ids of the tokens ``'0'`` ... ``'9'`` of ``tokenizer`` (a
    :class:`~vltoolkit.tokenization.HFTokenizer`), checking that it writes
    every number digit by digit (as the ChatML models' tokenizers do).

    Returns None for a size-only placeholder tokenizer (no text to read:
    :class:`~vltoolkit.tokenization.SizedPlaceholderTokenizer`).

    Raises:
        ValueError: a digit that is not one token, or a number that the
            tokenizer writes with multi-digit tokens.
    """
    if not hasattr(tokenizer, 'tokenizer'):
        return None  # a size-only placeholder (count_params.py): no text to read
    ids = []
    for digit in '0123456789':
        one = tokenizer.encode(digit, add_special_tokens=False)
        if len(one) != 1:
            raise ValueError(f'{tokenizer!r} writes the digit {digit!r} as {len(one)} tokens {one}')
        ids.append(int(one[0]))
    probe = '9081726354'
    written = tokenizer.encode(probe, add_special_tokens=False)
    if written != [ids[int(d)] for d in probe]:
        raise ValueError(
            f'{tokenizer!r} writes the number {probe} as the tokens {written}, not digit by '
            'digit: the digit-level losses need one token per digit (the tokenizers '
            'of the ChatML models split numbers so); for location-token models use '
            'DistanceLabelEncoder'
        )
    return ids
