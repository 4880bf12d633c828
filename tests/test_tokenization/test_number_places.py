"""Which target tokens are coordinate digits, and their place values: the
pipeline's ``number_places`` (what the digit-level losses act on)."""

import pytest
import torch

from vltoolkit.datasets.collate import vl_collate
from vltoolkit.datasets.transforms import PackVLInputs, TokenizeText
from vltoolkit.tokenization import build_tokenizer
from vltoolkit.tokenization.number_places import (
    NO_PLACE,
    digit_places,
    digit_token_ids,
    number_spans,
    token_number_places,
)

ANSWER = '```json\n[{"bbox_2d": [12, 345, 7, 890], "label": "person 2"}]\n```'


def test_places_of_integers_and_decimals():
    text = 'x 523 and 4.25'
    spans = number_spans(text)
    assert [text[a:b] for a, b in spans] == ['523', '4.25']
    places = digit_places(text, spans)
    assert [places[i] for i in (2, 3, 4)] == [2, 1, 0]
    assert [places[i] for i in (10, 12, 13)] == [0, -1, -2]
    assert 11 not in places  # the decimal point


def test_a_token_holding_several_digits_gets_no_place():
    text = '523'
    assert token_number_places(text, [(0, 2), (2, 3)], [(0, 3)]) == [NO_PLACE, 0]


def test_coordinate_spans_skip_the_label_digits(digit_tokenizer_cfg):
    coder = build_tokenizer(digit_tokenizer_cfg).box_coder
    spans = coder.coordinate_spans(ANSWER)
    assert [ANSWER[a:b] for a, b in spans] == ['12', '345', '7', '890']


def _tokenize(cfg, text, **kw):
    results = TokenizeText(cfg, **kw)(dict(prompt='where?', target_text=text))
    return results


def test_tokenize_text_marks_the_coordinate_digits(digit_tokenizer_cfg):
    tok = build_tokenizer(digit_tokenizer_cfg)
    results = _tokenize(digit_tokenizer_cfg, ANSWER)
    ids, places = results['labels'], results['number_places']
    assert ids.tolist() == tok.encode(ANSWER)  # the offsets' tokenization is encode()'s
    assert ids.shape == places.shape
    digits = digit_token_ids(tok)
    marked = [(tok.decode([int(i)]), int(p)) for i, p in zip(ids, places) if p != NO_PLACE]
    expected = [('1', 1), ('2', 0), ('3', 2), ('4', 1), ('5', 0), ('7', 0)]
    expected += [('8', 2), ('9', 1), ('0', 0)]
    assert marked == expected
    # '2' is a digit token three times (bbox_2d, 12, "person 2"): one is a coordinate
    twos = [p for i, p in zip(ids.tolist(), places.tolist()) if i == digits[2]]
    assert twos == [NO_PLACE, 0, NO_PLACE]
    # 'all' marks every number (the 2 of bbox_2d and of the label too)
    every = _tokenize(digit_tokenizer_cfg, ANSWER, number_places='all')['number_places']
    assert int((every != NO_PLACE).sum()) == 11
    assert 'number_places' not in _tokenize(digit_tokenizer_cfg, ANSWER, number_places='none')


def test_location_token_coders_mark_nothing_unless_asked(tiny_tokenizer_cfg):
    results = _tokenize(tiny_tokenizer_cfg, 'a person')
    assert 'number_places' not in results
    with pytest.raises(ValueError, match="'coordinates' but the box coder"):
        _tokenize(tiny_tokenizer_cfg, 'a person', number_places='coordinates')
    with pytest.raises(ValueError, match='number_places='):
        TokenizeText(tiny_tokenizer_cfg, number_places='digits')


def test_collate_pads_places_like_labels(digit_tokenizer_cfg):
    short = _tokenize(digit_tokenizer_cfg, '[{"bbox_2d": [1, 2, 3, 4], "label": "a"}]')
    long = _tokenize(digit_tokenizer_cfg, ANSWER)
    batch = vl_collate([PackVLInputs()(r) for r in (short, long)])['inputs']
    assert batch['number_places'].shape == batch['labels'].shape
    n = len(short['labels'])
    assert (batch['number_places'][0, n:] == NO_PLACE).all()
    assert torch.equal(batch['number_places'][1], long['number_places'])


def test_a_tokenizer_that_merges_digits_is_refused(tiny_tokenizer_cfg):
    with pytest.raises(ValueError, match='digit'):
        digit_token_ids(build_tokenizer(tiny_tokenizer_cfg))
