"""SpanMasking (text infilling), restore_spans and the sentinel tokens of
VLTokenizer."""

import numpy as np
import pytest

from vltoolkit.datasets.transforms import SpanMasking, restore_spans, sentinel_tokens
from vltoolkit.datasets.transforms.span_masking import apply_spans, mask_spans
from vltoolkit.registry import TRANSFORMS
from vltoolkit.tokenization import (
    BinBoxCoder,
    VLTokenizer,
    build_tokenizer,
    train_word_level_tokenizer,
)

TEXT = 'a man in a red shirt rides a brown horse on the beach'
WORDS = (
    'a man woman dog cat in on the red blue shirt rides runs brown horse '
    'beach street, sign. "quoted" 3 x-ray'
).split()


def _random_text(rng, n):
    return ' '.join(WORDS[i] for i in rng.integers(len(WORDS), size=n))


def _check_spans(spans, n, max_spans):
    assert len(spans) <= max_spans
    last_end = -1
    for start, end in spans:
        assert 0 <= start < end <= n
        assert start > last_end  # sorted, disjoint and never adjacent
        last_end = end


# ---------------------------------------------------------------- round trip
@pytest.mark.parametrize(
    'kwargs',
    [
        dict(),
        dict(mask_ratio=0.15),
        dict(mask_ratio=(0.15, 0.3)),
        dict(span_length=1),
        dict(span_length=5, max_spans=3),
        dict(poisson_lambda=1.0, max_spans=2),
        dict(mask_ratio=0.9),
    ],
)
def test_round_trip(kwargs):
    t = SpanMasking(**kwargs)
    rng = np.random.default_rng(0)
    for idx in range(150):
        n = int(rng.integers(1, 40))
        text = '  ' + _random_text(rng, n) + ' \n'
        out = t(dict(caption=text, sample_idx=idx))
        words = text.split()
        _check_spans(out['masked_spans'], n, t.max_spans)
        assert restore_spans(out['masked_text'], out['target_text']) == ' '.join(words)
        assert out['prompt'] == f'What is the complete text of "{out["masked_text"]}"?'
        masked = sum(e - s for s, e in out['masked_spans'])
        if not isinstance(t.mask_ratio, tuple):
            expect = max(1, int(round(t.mask_ratio * n)))
            assert masked == (min(expect, n - 1) if n > 1 else 1)
        # the masked text holds one sentinel per span, in order, and the
        # visible words in their places
        sentinels = [w for w in out['masked_text'].split() if w.startswith('<mask_')]
        assert sentinels == sentinel_tokens(len(out['masked_spans']))
        assert out['target_text'].split()[0] == '<mask_0>'


def test_documented_example():
    # docs/tasks.md and the module docstring show this sample
    out = SpanMasking()(dict(caption=TEXT, sample_idx=4))
    assert out['masked_text'] == 'a man in <mask_0> red shirt rides a brown horse <mask_1>'
    assert out['target_text'] == '<mask_0> a <mask_1> on the beach'
    assert out['prompt'] == (
        'What is the complete text of "a man in <mask_0> red shirt rides a brown horse <mask_1>"?'
    )
    assert out['masked_spans'] == [[3, 4], [10, 13]]


def test_full_text_target_and_template():
    t = TRANSFORMS.build(
        dict(
            type='SpanMasking',
            text_key='text',
            target='text',
            template='fill in: {masked}',
            mask_ratio=0.15,
        )
    )
    out = t(dict(text='  the quick  brown fox ', sample_idx=1))
    assert out['target_text'] == 'the quick brown fox'
    assert out['prompt'] == 'fill in: ' + out['masked_text']
    assert '<mask_0>' in out['masked_text']


# --------------------------------------------------------------- determinism
def test_deterministic_from_seed_and_index():
    t = SpanMasking(mask_ratio=(0.15, 0.3))
    first = [t(dict(caption=TEXT, sample_idx=i))['masked_text'] for i in range(40)]
    # any order (shuffling, workers, a resume mid-epoch) gives the same masks
    again = {
        i: SpanMasking(mask_ratio=(0.15, 0.3))(dict(caption=TEXT, sample_idx=i))['masked_text']
        for i in reversed(range(40))
    }
    assert first == [again[i] for i in range(40)]
    assert len(set(first)) > 10  # the index matters
    other_seed = [
        SpanMasking(mask_ratio=(0.15, 0.3), seed=1)(dict(caption=TEXT, sample_idx=i))['masked_text']
        for i in range(40)
    ]
    assert other_seed != first
    # the global generators are neither used nor disturbed
    np.random.seed(0)
    state = np.random.get_state()[1].copy()
    t(dict(caption=TEXT, sample_idx=3))
    assert (np.random.get_state()[1] == state).all()


def test_index_key():
    t = SpanMasking(index_key='local_sample_idx')
    a = t(dict(caption=TEXT, local_sample_idx=7, sample_idx=1))['masked_text']
    b = t(dict(caption=TEXT, local_sample_idx=7, sample_idx=2))['masked_text']
    assert a == b
    with pytest.raises(KeyError, match=r"results\['local_sample_idx'\].*index_key=None"):
        t(dict(caption=TEXT, sample_idx=1))
    by_text = SpanMasking(index_key=None)
    assert (
        by_text(dict(caption=TEXT))['masked_text']
        == by_text(dict(caption=TEXT, sample_idx=5))['masked_text']
    )


def test_span_length_distribution():
    rng = np.random.default_rng(0)
    lengths = []
    for _ in range(200):
        spans = mask_spans(1000, rng, 0.3, 'poisson', 3.0, max_spans=10**6)
        _check_spans(spans, 1000, 10**6)
        assert sum(e - s for s, e in spans) == 300
        lengths += [e - s for s, e in spans][:-1]
    # max(1, Poisson(3)) has mean 3 + e^-3
    assert abs(np.mean(lengths) - (3 + np.exp(-3))) < 0.1
    fixed = mask_spans(100, np.random.default_rng(1), 0.3, 4, max_spans=100)
    assert sorted(e - s for s, e in fixed) == [2] + [4] * 7
    # too many spans for the sentinels: merged
    merged = mask_spans(100, np.random.default_rng(1), 0.3, 1, max_spans=5)
    _check_spans(merged, 100, 5)
    assert len(merged) == 5 and sum(e - s for s, e in merged) == 30


def test_short_texts():
    t = SpanMasking()
    one = t(dict(caption='horse', sample_idx=0))
    assert one['masked_text'] == '<mask_0>' and one['target_text'] == '<mask_0> horse'
    for i in range(20):  # one word always stays visible, spans never touch
        two = t(dict(caption='brown horse', sample_idx=i))
        assert two['masked_text'] in ('<mask_0> horse', 'brown <mask_0>')
        three = SpanMasking(mask_ratio=0.9, span_length=1)(
            dict(caption='a brown horse', sample_idx=i)
        )
        assert three['masked_text'] in ('<mask_0> horse', 'a <mask_0>', '<mask_0> brown <mask_1>')


# ------------------------------------------------------------- restore_spans
def test_restore_spans_strict_and_lenient():
    masked = 'a <mask_0> horse on <mask_1>'
    target = '<mask_0> man rides a <mask_1> the beach'
    assert restore_spans(masked, target) == 'a man rides a horse on the beach'
    # order of the target's spans does not matter
    assert (
        restore_spans(masked, '<mask_1> the beach <mask_0> man rides a')
        == 'a man rides a horse on the beach'
    )
    with pytest.raises(ValueError, match='no span'):
        restore_spans(masked, '<mask_0> man')
    with pytest.raises(ValueError, match='does not have'):
        restore_spans(masked, target + ' <mask_2> x')
    with pytest.raises(ValueError, match='repeats'):
        restore_spans(masked, target + ' <mask_1> y')
    with pytest.raises(ValueError, match='does not start with a sentinel'):
        restore_spans(masked, 'oops ' + target)
    # a model's output: missing spans restore as nothing, extras are ignored
    assert (
        restore_spans(masked, 'x <mask_0> man <mask_0> dog <mask_7> z', strict=False)
        == 'a man horse on'
    )
    assert restore_spans('a [S1] b', '[S1] big', sentinel_fmt='[S{}]') == 'a big b'
    words = TEXT.split()
    assert apply_spans(words, []) == (TEXT, '')
    with pytest.raises(ValueError, match='not sorted'):
        apply_spans(words, [(3, 5), (4, 6)])


# -------------------------------------------------------------- bad input
def test_errors():
    t = SpanMasking()
    with pytest.raises(ValueError, match='empty.*sample 4'):
        t(dict(caption='   ', sample_idx=4))
    with pytest.raises(ValueError, match=r'sample 2, x\.png.*already holds a sentinel'):
        t(dict(caption='a <mask_3> b', sample_idx=2, img_path='x.png'))
    with pytest.raises(KeyError, match=r"results\['caption'\]"):
        t(dict(text='a b', sample_idx=0))
    for ratio in (0, 1, 1.5, (0.3, 0.1), (0.1, 0.2, 0.3)):
        with pytest.raises(ValueError, match='mask_ratio'):
            SpanMasking(mask_ratio=ratio)
    with pytest.raises(ValueError, match='span_length'):
        SpanMasking(span_length='geometric')
    with pytest.raises(ValueError, match='{masked}'):
        SpanMasking(template='no field')
    with pytest.raises(ValueError, match='target'):
        SpanMasking(target='both')
    for fmt in ('<mask>', '<mask_{}_{}>', '<mask {}>', '{}', '<m_{:02d}>'):
        with pytest.raises(ValueError, match='sentinel_fmt'):
            SpanMasking(sentinel_fmt=fmt)
    assert sentinel_tokens(3) == ['<mask_0>', '<mask_1>', '<mask_2>']
    assert SpanMasking(max_spans=4).special_tokens == sentinel_tokens(4)


# ------------------------------------------------------------- tokenizer
@pytest.fixture(scope='module')
def plain_tok_dir(tmp_path_factory):
    """A word-level tokenizer trained without sentinels or location tokens."""
    out = tmp_path_factory.mktemp('tok_plain')
    train_word_level_tokenizer([TEXT, 'What is the complete text of "{masked}"?'], str(out))
    return str(out)


def test_tokenizer_extra_special_tokens(plain_tok_dir):
    coder = dict(type='BinBoxCoder', num_bins=16, token_fmt='<loc_{}>')
    tok = VLTokenizer(plain_tok_dir, box_coder=coder, extra_special_tokens=sentinel_tokens(4))
    assert tok.extra_special_tokens == tuple(sentinel_tokens(4))
    ids = tok.extra_special_token_ids
    assert len(set(ids)) == 4
    assert not set(ids) & set(tok.location_token_ids.tolist())
    out = SpanMasking(max_spans=4)(dict(caption=TEXT, sample_idx=4))
    enc = tok.encode(out['prompt'])
    # every sentinel is one id, glued punctuation or not, and nothing is unknown
    assert enc.count(ids[0]) == 1 and enc.count(ids[1]) == 1
    assert tok.tokenizer.unk_token_id not in enc
    # decoding keeps sentinels (content) but drops <s>, </s>, <pad>
    target_ids = tok.encode(out['target_text'])
    decoded = tok.decode(target_ids + [tok.pad_token_id])
    assert decoded == out['target_text']
    assert restore_spans(out['masked_text'], decoded) == TEXT
    assert 'extra_special_tokens=4' in repr(tok)
    # distinct configs, distinct cached instances
    a = build_tokenizer(dict(path=plain_tok_dir, box_coder=coder))
    b = build_tokenizer(
        dict(path=plain_tok_dir, box_coder=coder, extra_special_tokens=sentinel_tokens(4))
    )
    assert a is not b and len(b) == len(a) + 4


def test_tokenizer_extra_special_tokens_errors(plain_tok_dir):
    with pytest.raises(TypeError, match='not one string'):
        VLTokenizer(plain_tok_dir, extra_special_tokens='<mask_0>')
    with pytest.raises(ValueError, match='duplicates'):
        VLTokenizer(plain_tok_dir, extra_special_tokens=['<m>', '<m>'])
    with pytest.raises(ValueError, match='whitespace'):
        VLTokenizer(plain_tok_dir, extra_special_tokens=['<m 0>'])
    with pytest.raises(ValueError, match='location tokens'):
        VLTokenizer(
            plain_tok_dir, box_coder=BinBoxCoder(4, '<loc_{}>'), extra_special_tokens=['<loc_1>']
        )


def test_tokenizer_trained_with_sentinels(tmp_path):
    """Sentinels trained into the vocabulary keep their ids when listed."""
    coder = BinBoxCoder(8, '<loc_{}>')
    train_word_level_tokenizer(
        [TEXT], str(tmp_path), special_tokens=coder.location_tokens + sentinel_tokens(2)
    )
    tok = VLTokenizer(str(tmp_path), box_coder=coder, extra_special_tokens=sentinel_tokens(2))
    plain = VLTokenizer(str(tmp_path), box_coder=coder)
    assert len(tok) == len(plain)
    assert tok.extra_special_token_ids == plain.tokenizer.convert_tokens_to_ids(sentinel_tokens(2))
