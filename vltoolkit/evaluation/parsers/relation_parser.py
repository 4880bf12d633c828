"""Parse a generated relation answer (``'hold , eat'``) into relation classes.

Answer grammar (what the model is trained to generate)::

    answer  := phrase ( SEP phrase )*
    SEP     := ','  |  ';'  |  newline          (spaces around it are free)
    phrase  := one of the relation phrases, e.g. 'hold', 'eat with',
               'talk on phone' (matched case-insensitively, whole phrase)

Before splitting, every ``<...>`` token (location tokens such as
``<loc_12>``, ``</s>``, ``<pad>``) is removed. Each segment is then
normalised: lower-cased, ``_`` read as a space, runs of whitespace collapsed
and surrounding punctuation (``. ! ? : " ' ( ) [ ] { }``) stripped. The
phrases themselves are normalised the same way, so ``'Talk_On  Phone.'``
matches the phrase ``'talk on phone'``.

A segment that is not a phrase is split once more on the word ``and``
(``'hold and eat'``); this never breaks a phrase that itself contains
``and`` because a whole-segment match is tried first. Whatever is still not
a phrase is an *unknown* segment: it is ignored and counted. Order and
duplicates do not matter (the result is a set). Empty, ``None`` or garbage
text gives an empty set; the metric counts such answers as unparseable.
"""

import re
from typing import Dict, Iterable, Optional, Set, Tuple

# Any special / location token: <loc_12>, </s>, <pad>, <extra_id_0>, ...
SPECIAL_TOKEN = re.compile(r'<[^<>]*>')
SEPARATORS = re.compile(r'[,;\n]')
AND_WORD = re.compile(r'\band\b')
_SPACES = re.compile(r'\s+')
_EDGE_PUNCT = '.!?:"\'()[]{}` \t'


def normalize_phrase(text: str) -> str:
    """Lower-case, read ``_`` as a space, collapse spaces, strip punctuation.

    Example:
        >>> normalize_phrase('  Talk_On   Phone. ')
        'talk on phone'
    """
    text = text.lower().replace('_', ' ')
    text = _SPACES.sub(' ', text).strip(_EDGE_PUNCT)
    return _SPACES.sub(' ', text).strip()


class RelationParser:
    """Map a generated answer to the set of relation classes it names.

    See the module docstring for the grammar. Matching is exact at the
    phrase level (after normalisation): no fuzzy or substring matching, so
    a metric built on this parser never credits an answer for text that is
    not one of the trained phrases.

    Args:
        phrases (dict[str, str]): relation class name -> answer phrase, e.g.
            ``{'hold_obj': 'hold', 'eat_instr': 'eat with'}``. Phrases must
            be non-empty, unique after normalisation and contain no
            separator (``,`` ``;`` newline) and no ``<...>`` token.

    Example:
        >>> parser = RelationParser({'hold_obj': 'hold', 'eat_obj': 'eat',
        ...                          'eat_instr': 'eat with'})
        >>> classes, n_unknown = parser.parse(' Hold ,EAT with<loc_3>, fly ')
        >>> sorted(classes), n_unknown
        (['eat_instr', 'hold_obj'], 1)
        >>> parser.parse(None)
        (set(), 0)
    """

    def __init__(self, phrases: Dict[str, str]):
        if not phrases:
            raise ValueError('RelationParser needs at least one phrase.')
        self.phrases = dict(phrases)
        self._lookup: Dict[str, str] = {}
        for cls_name, phrase in self.phrases.items():
            if not isinstance(phrase, str):
                raise TypeError(
                    f'Phrase of {cls_name!r} must be a str, got {type(phrase).__name__}.'
                )
            if SEPARATORS.search(phrase) or SPECIAL_TOKEN.search(phrase):
                raise ValueError(
                    f'Phrase {phrase!r} of {cls_name!r} contains a separator '
                    'or a <...> token, which the answer grammar cannot '
                    'express.'
                )
            key = normalize_phrase(phrase)
            if not key:
                raise ValueError(f'Phrase of {cls_name!r} is empty.')
            if key in self._lookup:
                raise ValueError(
                    f'Phrase {phrase!r} of {cls_name!r} is the same as the '
                    f'phrase of {self._lookup[key]!r} (after normalisation); '
                    'phrases must be unique.'
                )
            self._lookup[key] = cls_name

    @property
    def classes(self) -> Tuple[str, ...]:
        """The relation classes this parser can return, in input order."""
        return tuple(self.phrases)

    def segments(self, text: Optional[str]) -> Iterable[str]:
        """Yield the normalised, non-empty segments of ``text``."""
        if not text:
            return
        text = SPECIAL_TOKEN.sub(' ', str(text))
        for segment in SEPARATORS.split(text):
            segment = normalize_phrase(segment)
            if segment:
                yield segment

    def parse(self, text: Optional[str]) -> Tuple[Set[str], int]:
        """Parse one answer.

        Args:
            text (str | None): the generated answer.

        Returns:
            tuple[set[str], int]: the recognised relation classes and the
            number of unknown (ignored) segments.
        """
        found: Set[str] = set()
        n_unknown = 0
        for segment in self.segments(text):
            cls_name = self._lookup.get(segment)
            if cls_name is not None:
                found.add(cls_name)
                continue
            parts = [normalize_phrase(p) for p in AND_WORD.split(segment)]
            for part in parts:
                if not part:
                    continue
                cls_name = self._lookup.get(part)
                if cls_name is None:
                    n_unknown += 1
                else:
                    found.add(cls_name)
        return found, n_unknown

    __call__ = parse

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}({len(self.phrases)} phrases)'
