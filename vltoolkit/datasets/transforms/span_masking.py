"""Span masking (text infilling), the pre-training task of the multi-task HOI study.

BART / T5 style: whole words of a text are masked in a few contiguous
spans, each span is replaced by one sentinel token (``<mask_0>``,
``<mask_1>``, ...), and the target restores the spans::

    text:    a man in a red shirt rides a brown horse on the beach
    masked:  a man in <mask_0> red shirt rides a brown horse <mask_1>
    prompt:  What is the complete text of
             "a man in <mask_0> red shirt rides a brown horse <mask_1>"?
    target:  <mask_0> a <mask_1> on the beach

(``SpanMasking()`` on sample 4; see ``tests/test_datasets/test_span_masking.py``.)

The masks of a sample depend only on ``seed`` and the sample's index, so
they are the same in every run, every worker and after a resume. See
``docs/tasks.md``.
"""

import re
import string
import zlib
from typing import Optional, Sequence, Tuple, Union

import numpy as np
from mmcv.transforms import BaseTransform

from vltoolkit.registry import TRANSFORMS

__all__ = [
    'SpanMasking',
    'mask_spans',
    'apply_spans',
    'restore_spans',
    'sentinel_tokens',
    'DEFAULT_SENTINEL_FMT',
    'DEFAULT_INFILL_TEMPLATE',
]

#: The sentinel tokens: ``<mask_0>``, ``<mask_1>``, ...
DEFAULT_SENTINEL_FMT = '<mask_{}>'
#: OFA's text-infilling prompt (``' what is the complete text of " {} "?'``).
DEFAULT_INFILL_TEMPLATE = 'What is the complete text of "{masked}"?'


def _sentinel_pattern(fmt: str):
    """``'<mask_{}>'`` -> ``re.compile(r'<mask_(\\d+)>')``."""
    if not isinstance(fmt, str):
        raise TypeError(f'sentinel_fmt must be a str, got {fmt!r}')
    parts = list(string.Formatter().parse(fmt))
    fields = [p for p in parts if p[1] is not None]
    if len(fields) != 1 or fields[0][1] != '' or fields[0][2] not in ('', None):
        raise ValueError(
            'sentinel_fmt must hold exactly one empty field for '
            f'the span number, e.g. "<mask_{{}}>", got {fmt!r}'
        )
    literal = ''.join(p[0] for p in parts)
    if not literal or any(c.isspace() for c in fmt):
        raise ValueError(
            f'sentinel_fmt {fmt!r} must have literal text around the number and no whitespace'
        )
    regex = ''.join(
        re.escape(lit) + (r'(\d+)' if field is not None else '') for lit, field, _, _ in parts
    )
    return re.compile(regex)


def sentinel_tokens(num: int = 16, fmt: str = DEFAULT_SENTINEL_FMT) -> list:
    """The ``num`` sentinel tokens ``fmt.format(0) ... fmt.format(num - 1)``:
    the ``extra_special_tokens`` a tokenizer needs for :class:`SpanMasking`
    with ``max_spans=num``."""
    _sentinel_pattern(fmt)
    if int(num) != num or num < 1:
        raise ValueError(f'num must be a positive integer, got {num!r}')
    return [fmt.format(i) for i in range(int(num))]


def _span_lengths(rng, num_to_mask, span_length, poisson_lambda):
    lengths, total = [], 0
    while total < num_to_mask:
        if span_length == 'poisson':
            n = max(1, int(rng.poisson(poisson_lambda)))
        else:
            n = int(span_length)
        n = min(n, num_to_mask - total)
        lengths.append(n)
        total += n
    return [lengths[i] for i in rng.permutation(len(lengths))]


def _merge_smallest_pair(lengths):
    sums = [lengths[i] + lengths[i + 1] for i in range(len(lengths) - 1)]
    i = int(np.argmin(sums))
    return lengths[:i] + [sums[i]] + lengths[i + 2 :]


def mask_spans(
    num_words: int,
    rng: np.random.Generator,
    mask_ratio: float = 0.3,
    span_length: Union[str, int] = 'poisson',
    poisson_lambda: float = 3.0,
    max_spans: int = 16,
) -> list:
    """Choose the spans to mask in a text of ``num_words`` words.

    ``round(mask_ratio * num_words)`` words are masked (at least one, and at
    most ``num_words - 1`` so that one word stays visible when there are
    two or more). Span lengths are drawn from ``max(1, Poisson(lambda))``
    (or are all ``span_length`` if it is an int) until they cover that many
    words, the last one cut to fit, then shuffled. Spans never touch (at
    least one visible word between two spans, so two sentinels are never
    adjacent); where the text is too short for that, or there are more than
    ``max_spans`` spans, the two neighbouring spans with the smallest total
    length are merged until it fits. The visible words are spread over the
    gaps uniformly at random.

    Returns:
        list[tuple[int, int]]: ``(start, end)`` word indices (end exclusive),
        sorted, non-overlapping, non-adjacent. Empty for an empty text.
    """
    if num_words <= 0:
        return []
    num_to_mask = max(1, int(round(mask_ratio * num_words)))
    if num_words > 1:
        num_to_mask = min(num_to_mask, num_words - 1)
    num_to_mask = min(num_to_mask, num_words)
    lengths = _span_lengths(rng, num_to_mask, span_length, poisson_lambda)
    while len(lengths) > 1 and (
        len(lengths) > max_spans or num_words - num_to_mask < len(lengths) - 1
    ):
        lengths = _merge_smallest_pair(lengths)
    k = len(lengths)
    free = num_words - num_to_mask - (k - 1)  # visible words to spread
    cuts = np.sort(rng.choice(free + k, size=k, replace=False))
    gaps = np.diff(np.concatenate([[-1], cuts, [free + k]])) - 1  # k + 1 gaps
    spans, pos = [], int(gaps[0])
    for i, n in enumerate(lengths):
        spans.append((pos, pos + n))
        pos += n + 1 + int(gaps[i + 1])
    return spans


def apply_spans(
    words: Sequence[str], spans, sentinel_fmt: str = DEFAULT_SENTINEL_FMT
) -> Tuple[str, str]:
    """Replace ``spans`` of ``words`` by sentinels.

    Returns:
        tuple[str, str]: the masked text (each span replaced by
        ``sentinel_fmt.format(i)``) and the target (each sentinel followed by
        the words it replaces), both joined with single spaces.
    """
    masked, target, last = [], [], 0
    for i, (start, end) in enumerate(spans):
        if not last <= start < end <= len(words):
            raise ValueError(
                f'spans {list(spans)} are not sorted, disjoint spans of {len(words)} words'
            )
        sentinel = sentinel_fmt.format(i)
        masked += list(words[last:start]) + [sentinel]
        target += [sentinel] + list(words[start:end])
        last = end
    masked += list(words[last:])
    return ' '.join(masked), ' '.join(target)


def restore_spans(
    masked: str, target: str, sentinel_fmt: str = DEFAULT_SENTINEL_FMT, strict: bool = True
) -> str:
    """Undo span masking: put the spans of ``target`` back into ``masked``.

    ``restore_spans('a <mask_0> horse on <mask_1>', '<mask_0> man rides a
    <mask_1> the beach')`` -> ``'a man rides a horse on the beach'``.
    Whitespace is normalised to single spaces (as :class:`SpanMasking`
    splits words on whitespace, the round trip gives
    ``' '.join(text.split())``).

    Args:
        masked (str): the masked text (not the prompt around it).
        target (str): sentinels each followed by their span, e.g. a
            generated answer.
        sentinel_fmt (str): the sentinel pattern.
        strict (bool): raise ``ValueError`` if a sentinel of ``masked`` has no
            span in ``target``, a sentinel of ``target`` is not in
            ``masked``, or a sentinel repeats. With ``strict=False`` (for
            model outputs) a missing span restores as nothing and unknown or
            repeated ones are ignored (the first wins).
    """
    pattern = _sentinel_pattern(sentinel_fmt)
    pieces = pattern.split(target)  # [before, n0, span0, n1, span1, ...]
    if pieces[0].strip() and strict:
        raise ValueError(
            f'target {target!r} does not start with a sentinel ({sentinel_fmt.format(0)}, ...)'
        )
    spans = {}
    for num, span in zip(pieces[1::2], pieces[2::2]):
        if num in spans:
            if strict:
                raise ValueError(
                    f'sentinel {sentinel_fmt.format(num)} repeats in target {target!r}'
                )
            continue
        spans[num] = ' '.join(span.split())
    used = []

    def fill(match):
        num = match.group(1)
        if num not in spans:
            if strict:
                raise ValueError(
                    f'sentinel {match.group(0)} of {masked!r} has no span in target {target!r}'
                )
            return ' '
        if num in used and strict:
            raise ValueError(f'sentinel {match.group(0)} repeats in {masked!r}')
        used.append(num)
        return f' {spans[num]} '

    restored = pattern.sub(fill, masked)
    unused = [n for n in spans if n not in used]
    if unused and strict:
        raise ValueError(
            f'target {target!r} holds span(s) '
            f'{[sentinel_fmt.format(n) for n in unused]} that '
            f'{masked!r} does not have'
        )
    return ' '.join(restored.split())


@TRANSFORMS.register_module()
class SpanMasking(BaseTransform):
    """Text infilling: mask spans of a text, ask for them back.

    Reads ``results[text_key]`` (e.g. a caption), splits it into words on
    whitespace, masks spans of whole words (see :func:`mask_spans`) and
    writes

    - ``masked_text``: the text with each span replaced by a sentinel
      (``<mask_0>``, ``<mask_1>``, ... in text order);
    - ``prompt``: ``template.format(masked=masked_text)``;
    - ``target_text``: each sentinel followed by the span it replaces
      (``target='spans'``, T5 style), or the whole original text
      (``target='text'``, BART / OFA style);
    - ``masked_spans``: the ``[start, end)`` word indices of the spans.

    :func:`restore_spans` (``masked_text``, span target) gives back
    ``' '.join(text.split())``.

    The masks are drawn from ``numpy.random.default_rng(SeedSequence([seed,
    index]))`` with ``index = results[index_key]`` (``sample_idx``, set by
    mmengine's ``BaseDataset`` and by ``MultiTaskDataset``, the global
    index there): the same sample is masked the same way in every run,
    worker and epoch, and after a resume. With ``index_key=None`` the index
    is the CRC-32 of the text (equal texts get equal masks).

    The sentinels must be single tokens of the tokenizer: list
    :func:`sentinel_tokens` ``(max_spans)`` as the tokenizer's
    ``extra_special_tokens`` (``VLTokenizer`` adds them as special tokens,
    ``tools/data/build_tokenizer.py`` trains them in).

    Args:
        text_key (str): the results key of the text. Default ``'caption'``.
        mask_ratio (float | tuple[float, float]): fraction of the words to
            mask, in (0, 1); a ``(low, high)`` pair draws it per sample,
            uniformly. Default 0.3 (OFA's; T5 uses 0.15).
        span_length (str | int): ``'poisson'`` (lengths ``max(1,
            Poisson(poisson_lambda))``, BART's ``span-poisson`` without
            zero-length spans) or a fixed int length.
        poisson_lambda (float): the Poisson mean. Default 3.0 (BART, OFA).
        max_spans (int): the number of sentinel tokens; more spans are merged.
            Default 16.
        sentinel_fmt (str): the sentinel pattern. Default ``'<mask_{}>'``.
        template (str): the prompt, with a ``{masked}`` field. Default
            ``'What is the complete text of "{masked}"?'``.
        target (str): ``'spans'`` (default) or ``'text'``.
        seed (int): the seed of the masks. Default 0.
        index_key (str | None): the results key of the sample index.
            Default ``'sample_idx'``.

    Raises ``ValueError`` for an empty text or a text that already holds a
    sentinel, naming the sample.
    """

    TARGETS = ('spans', 'text')

    def __init__(
        self,
        text_key: str = 'caption',
        mask_ratio: Union[float, Sequence[float]] = 0.3,
        span_length: Union[str, int] = 'poisson',
        poisson_lambda: float = 3.0,
        max_spans: int = 16,
        sentinel_fmt: str = DEFAULT_SENTINEL_FMT,
        template: str = DEFAULT_INFILL_TEMPLATE,
        target: str = 'spans',
        seed: int = 0,
        index_key: Optional[str] = 'sample_idx',
    ):
        self.text_key = text_key
        ratios = (
            (mask_ratio, mask_ratio) if isinstance(mask_ratio, (int, float)) else tuple(mask_ratio)
        )
        if len(ratios) != 2 or not 0 < ratios[0] <= ratios[1] < 1:
            raise ValueError(
                'mask_ratio must be a float in (0, 1) or a pair '
                f'0 < low <= high < 1, got {mask_ratio!r}'
            )
        self.mask_ratio = mask_ratio
        self._ratios = tuple(float(r) for r in ratios)
        if span_length != 'poisson' and not (isinstance(span_length, int) and span_length >= 1):
            raise ValueError(f"span_length must be 'poisson' or an int >= 1, got {span_length!r}")
        if not poisson_lambda > 0:
            raise ValueError(f'poisson_lambda must be > 0, got {poisson_lambda!r}')
        self.span_length = span_length
        self.poisson_lambda = float(poisson_lambda)
        self.sentinel_fmt = sentinel_fmt
        self._pattern = _sentinel_pattern(sentinel_fmt)
        self.special_tokens = sentinel_tokens(max_spans, sentinel_fmt)
        self.max_spans = int(max_spans)
        if '{masked}' not in template:
            raise ValueError(f'SpanMasking template needs a {{masked}} field, got {template!r}')
        self.template = template
        if target not in self.TARGETS:
            raise ValueError(f'target must be one of {self.TARGETS}, got {target!r}')
        self.target = target
        self.seed = int(seed)
        self.index_key = index_key

    def _where(self, results):
        return f"sample {results.get('sample_idx', '?')}" + (
            f", {results['img_path']}" if 'img_path' in results else ''
        )

    def rng_for(self, results: dict, text: str) -> np.random.Generator:
        """The random stream of one sample (seed + sample index)."""
        if self.index_key is None:
            index = zlib.crc32(text.encode('utf-8'))
        else:
            if self.index_key not in results:
                raise KeyError(
                    f'SpanMasking needs results[{self.index_key!r}] (the sample '
                    'index that makes the masks reproducible; mmengine '
                    "datasets set 'sample_idx'), or index_key=None to seed "
                    f'from the text ({self._where(results)})'
                )
            index = int(results[self.index_key])
        return np.random.default_rng(
            np.random.SeedSequence([self.seed, index & 0xFFFFFFFFFFFFFFFF])
        )

    def transform(self, results: dict) -> dict:
        if self.text_key not in results:
            raise KeyError(
                f'SpanMasking needs results[{self.text_key!r}] '
                f'({self._where(results)}); set text_key to the '
                'key of the text to mask'
            )
        text = results[self.text_key]
        if not isinstance(text, str) or not text.split():
            raise ValueError(
                f'SpanMasking got an empty or non-text '
                f'{self.text_key} {text!r} ({self._where(results)})'
            )
        if self._pattern.search(text):
            raise ValueError(
                f'{self.text_key} {text!r} ({self._where(results)}) already '
                f'holds a sentinel such as {self.sentinel_fmt.format(0)}; '
                'its spans could not be restored'
            )
        words = text.split()
        rng = self.rng_for(results, text)
        low, high = self._ratios
        ratio = low if low == high else float(rng.uniform(low, high))
        spans = mask_spans(
            len(words), rng, ratio, self.span_length, self.poisson_lambda, self.max_spans
        )
        masked, target = apply_spans(words, spans, self.sentinel_fmt)
        results['masked_text'] = masked
        results['prompt'] = self.template.format(masked=masked)
        results['target_text'] = target if self.target == 'spans' else ' '.join(words)
        results['masked_spans'] = [list(s) for s in spans]
        return results

    def __repr__(self):
        return (
            f'{type(self).__name__}(text_key={self.text_key!r}, '
            f'mask_ratio={self.mask_ratio!r}, span_length='
            f'{self.span_length!r}, poisson_lambda={self.poisson_lambda}, '
            f'max_spans={self.max_spans}, target={self.target!r}, '
            f'seed={self.seed})'
        )
