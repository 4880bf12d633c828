"""DigitDistanceLabelEncoder: distance-inverse labels over the ten digit
tokens at the digits of box coordinates, one-hot elsewhere."""

import pytest
import torch

from tests.test_losses.test_gem import _reference as gem_reference
from vltoolkit.label_encoders import DigitDistanceLabelEncoder
from vltoolkit.losses import GEMLoss
from vltoolkit.registry import LABEL_ENCODERS
from vltoolkit.tokenization import build_tokenizer
from vltoolkit.tokenization.number_places import NO_PLACE, digit_token_ids


def _reference_rows(ids, places, vocab, digit_ids, power, window, weights):
    """One position at a time, from the formula of the docstring."""
    out = torch.zeros(len(ids), vocab, dtype=torch.float64)
    for n, (i, p) in enumerate(zip(ids.tolist(), places.tolist())):
        if i == -100:
            continue
        if p == NO_PLACE or i not in digit_ids:
            out[n, i] = 1.0
            continue
        y = digit_ids.index(i)
        kernel = []
        for j in range(10):
            d = abs(y - j)
            kernel.append((1 + d) ** -power if window is None or d <= window else 0.0)
        w = weights[min(max(p, 0), len(weights) - 1)]
        for j in range(10):
            out[n, digit_ids[j]] = w * kernel[j] / sum(kernel) + (1 - w) * (j == y)
    return out


def _case(tok, n=40, seed=0):
    g = torch.Generator().manual_seed(seed)
    digits = torch.tensor(digit_token_ids(tok))
    vocab = len(tok)
    ids = torch.randint(0, vocab, (n,), generator=g)
    pick = torch.rand(n, generator=g) < 0.6
    ids = torch.where(pick, digits[torch.randint(0, 10, (n,), generator=g)], ids)
    places = torch.randint(-2, 4, (n,), generator=g)
    places[torch.rand(n, generator=g) < 0.3] = NO_PLACE  # digits of a label: not marked
    ids[::7] = -100
    return ids, places, vocab, digits.tolist()


@pytest.mark.parametrize(
    'power,window,weights', [(2.0, 4, (1.0,)), (1.0, None, (1.0, 0.5, 0.0)), (3.0, 1, (0.2, 1.0))]
)
def test_rows_equal_the_per_position_loop(digit_tokenizer_cfg, power, window, weights):
    tok = build_tokenizer(digit_tokenizer_cfg)
    enc = DigitDistanceLabelEncoder(
        digit_tokenizer_cfg, power=power, window=window, place_weights=weights
    )
    for seed in range(5):
        ids, places, vocab, digits = _case(tok, seed=seed)
        ref = _reference_rows(ids, places, vocab, digits, power, window, weights)
        dense = enc(ids, vocab, places=places)
        torch.testing.assert_close(dense.double(), ref, atol=1e-6, rtol=0)
        torch.testing.assert_close(enc.sparse(ids, vocab, places=places).to_dense(vocab), dense)
        valid = ids != -100
        torch.testing.assert_close(dense.sum(-1), valid.float())


def test_unmarked_digits_and_text_stay_one_hot(digit_tokenizer_cfg):
    tok = build_tokenizer(digit_tokenizer_cfg)
    digits = digit_token_ids(tok)
    enc = DigitDistanceLabelEncoder(digit_tokenizer_cfg)
    ids = torch.tensor([digits[5], digits[5], 3])
    rows = enc(ids, len(tok), places=torch.tensor([NO_PLACE, 1, 0]))
    assert rows[0, digits[5]] == 1 and rows[2, 3] == 1  # label digit, text token
    assert 0.3 < rows[1, digits[5]] < 1 and rows[1, digits[4]] == rows[1, digits[6]] > 0


def test_gem_on_digit_soft_labels_is_the_gem_formula(digit_tokenizer_cfg):
    """liziniu/GEM's per-id loss, in expectation over each soft row."""
    tok = build_tokenizer(digit_tokenizer_cfg)
    enc = DigitDistanceLabelEncoder(digit_tokenizer_cfg, power=1.0, window=2)
    ids, places, vocab, _ = _case(tok, n=12, seed=3)
    target = enc(ids, vocab, places=places)
    logits = torch.randn(len(ids), vocab, generator=torch.Generator().manual_seed(0))
    for h in ('linear', 'logsigmoid'):
        ours = GEMLoss(beta=0.7, h=h)(logits, target)
        ref = gem_reference(logits.double(), target.double(), 0.7, h)
        torch.testing.assert_close(ours.double(), ref, rtol=1e-5, atol=1e-6)


def test_registered_and_checked(digit_tokenizer_cfg, tiny_tokenizer_cfg):
    enc = LABEL_ENCODERS.build(
        dict(type='DigitDistanceLabelEncoder', tokenizer=digit_tokenizer_cfg, power=2.0)
    )
    assert enc.uses_number_places
    with pytest.raises(ValueError, match='place_weights'):
        DigitDistanceLabelEncoder(digit_tokenizer_cfg, place_weights=(1.5,))
    with pytest.raises(ValueError, match='digit by digit|digit'):
        DigitDistanceLabelEncoder(tiny_tokenizer_cfg)
    with pytest.raises(ValueError, match='needs places'):
        enc(torch.tensor([1, 2]), 500)
