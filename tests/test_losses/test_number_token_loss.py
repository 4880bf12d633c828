"""NumberTokenLoss against the ntloss 0.3.2 reference (NTLoss, NTLossDotProduct,
with and without reweigh), its gradient reaching only coordinate digits, and
its chunked path (hidden states + LM head) against the materialised one."""

import pytest
import torch
import torch.nn.functional as F

from tests.conftest import NUMBER_TEXTS
from vltoolkit.datasets.transforms import TokenizeText
from vltoolkit.label_encoders import DigitDistanceLabelEncoder
from vltoolkit.losses import GEMLoss, NumberTarget, NumberTokenLoss, TokenCrossEntropyLoss
from vltoolkit.models.utils.lm_head import HeadInput, OutputHead
from vltoolkit.models.utils.token_loss import TokenLossMixin
from vltoolkit.tokenization import build_tokenizer
from vltoolkit.tokenization.number_places import NO_PLACE, digit_token_ids

ntloss = pytest.importorskip('ntloss', minversion='0.3.2')

VARIANTS = [
    ('was', False, None, 'NTLoss'),
    ('was', True, None, 'NTLoss'),
    ('mse', False, None, 'NTLossDotProduct'),
    ('mse', True, None, 'NTLossDotProduct'),
    ('was', False, 3.0, 'NTLoss'),
]


@pytest.fixture(scope='module')
def tok(digit_tokenizer_cfg):
    return build_tokenizer(digit_tokenizer_cfg)


def _reference(tok, variant, reweigh, squash, name):
    from transformers import AutoTokenizer

    hf = AutoTokenizer.from_pretrained(tok.path)
    kw = dict(squash_factor=squash) if squash is not None else {}
    return getattr(ntloss, name)(hf, vocab_size=len(tok), reweigh=reweigh, **kw)


def _case(tok, seed, batch=3, length=9):
    """Logits with real mass on the digits, targets mixing digits, text and
    ignored positions."""
    g = torch.Generator().manual_seed(seed)
    vocab, digits = len(tok), torch.tensor(digit_token_ids(tok))
    logits = torch.randn(batch, length, vocab, generator=g) * 2
    logits[..., digits] += torch.randn(batch, length, 10, generator=g) * 3 + 4
    ids = torch.randint(0, vocab, (batch, length), generator=g)
    pick = torch.rand(batch, length, generator=g) < 0.6
    ids = torch.where(pick, digits[torch.randint(0, 10, (batch, length), generator=g)], ids)
    ids[0, -2:] = -100
    return logits, ids


@pytest.mark.parametrize('variant,reweigh,squash,name', VARIANTS)
def test_equals_ntloss_on_100_random_cases(
    tok, digit_tokenizer_cfg, variant, reweigh, squash, name
):
    ref = _reference(tok, variant, reweigh, squash, name)
    lam = 0.7
    ours = NumberTokenLoss(
        digit_tokenizer_cfg, variant=variant, reweigh=reweigh, squash_factor=squash, ntl_weight=lam
    )
    digits = torch.tensor(digit_token_ids(tok))
    for seed in range(100):
        logits, ids = _case(tok, seed)
        places = torch.where(torch.isin(ids, digits), 0, NO_PLACE)  # every digit, as ntloss
        flat, flat_ids = logits.reshape(-1, logits.shape[-1]), ids.reshape(-1)
        # per position
        expected = ref(logits, ids, reduction='none').reshape(-1)
        terms, _ = ours.number_terms(F.log_softmax(flat, -1), flat_ids, places.reshape(-1), flat)
        torch.testing.assert_close(terms, expected, rtol=1e-6, atol=1e-6)
        # the loss: token CE + lambda * the term, both over the target tokens
        valid = int((flat_ids != -100).sum())
        total = F.cross_entropy(flat, flat_ids) + lam * ref(logits, ids, reduction='sum') / valid
        got = ours(flat, NumberTarget(flat_ids, flat_ids, places.reshape(-1)))
        torch.testing.assert_close(got, total, rtol=1e-6, atol=1e-6)


def _answer(digit_tokenizer_cfg):
    """One tokenized answer: coordinate digits, digits of "bbox_2d" and of
    the label "person 2", text."""
    r = TokenizeText(digit_tokenizer_cfg)(dict(prompt='p', target_text=NUMBER_TEXTS[0]))
    return r['labels'], r['number_places']


def _grad_rows(fn, logits):
    z = logits.clone().requires_grad_()
    fn(z).backward()
    return z.grad.abs().sum(-1) > 1e-5  # rounding of two forms of one gradient: ~1e-8


def test_number_terms_get_gradient_only_at_coordinate_digits(tok, digit_tokenizer_cfg):
    ids, places = _answer(digit_tokenizer_cfg)
    logits = torch.randn(len(ids), len(tok), generator=torch.Generator().manual_seed(0))
    marked = places != NO_PLACE
    assert 0 < int(marked.sum()) < int(torch.isin(ids, torch.tensor(digit_token_ids(tok))).sum())
    ce = TokenCrossEntropyLoss()
    for variant in ('was', 'mse'):
        ntl = NumberTokenLoss(digit_tokenizer_cfg, variant=variant, reweigh=True)
        rows = _grad_rows(lambda z: ntl(z, NumberTarget(ids, ids, places)) - ce(z, ids), logits)
        assert torch.equal(rows, marked)
    enc = DigitDistanceLabelEncoder(digit_tokenizer_cfg)
    for loss in (ce, GEMLoss(beta=0.7)):
        soft = enc(ids, len(tok), places=places)
        rows = _grad_rows(lambda z: loss(z, soft) - loss(z, ids), logits)
        assert torch.equal(rows, marked)


class _Model(TokenLossMixin):
    def __init__(self, loss, encoder, chunk):
        self.loss_module, self.label_encoder = loss, encoder
        self.loss_normalization, self.loss_chunk_size = 'token', chunk


def _loss_and_grads(model, hidden, weight, bias, ids, places):
    h, w, b = (t.clone().requires_grad_() for t in (hidden, weight, bias))
    out = model.token_loss(HeadInput(h, OutputHead(w, b)), ids, number_places=places)
    out.backward()
    return out.detach(), h.grad, w.grad, b.grad


@pytest.mark.parametrize('variant,reweigh,squash,name', VARIANTS[:4])
@pytest.mark.parametrize('base', ['ce', 'gem'])
@pytest.mark.parametrize('soft', [False, True], ids=['onehot', 'digit_distance'])
def test_chunked_equals_materialised(
    tok, digit_tokenizer_cfg, variant, reweigh, squash, name, base, soft
):
    g = torch.Generator().manual_seed(1)
    logits, ids = _case(tok, seed=5, batch=2, length=11)
    places = torch.where(torch.rand(ids.shape, generator=g) < 0.7, 1, NO_PLACE)
    hidden = torch.randn(*ids.shape, 16, generator=g)
    weight = torch.randn(len(tok), 16, generator=g)
    weight[digit_token_ids(tok)] += 0.5  # real mass on the digits
    bias = torch.randn(len(tok), generator=g) * 0.1
    base_loss = dict(type='GEMLoss', beta=0.7) if base == 'gem' else None
    enc = DigitDistanceLabelEncoder(digit_tokenizer_cfg, window=2) if soft else None
    results = []
    for chunk in (None, 4):
        loss = NumberTokenLoss(
            digit_tokenizer_cfg, variant=variant, reweigh=reweigh, base_loss=base_loss
        )
        results.append(_loss_and_grads(_Model(loss, enc, chunk), hidden, weight, bias, ids, places))
    for got, ref in zip(*results[::-1]):
        torch.testing.assert_close(got, ref, rtol=1e-5, atol=1e-5 * float(ref.abs().max()))


def test_clear_errors(tok, digit_tokenizer_cfg):
    loss = NumberTokenLoss(digit_tokenizer_cfg)
    ids = torch.tensor([1, 2])
    with pytest.raises(TypeError, match='NumberTarget'):
        loss(torch.randn(2, len(tok)), ids)
    with pytest.raises(ValueError, match='no number_places'):
        _Model(loss, None, None).token_loss(torch.randn(1, 2, len(tok)), ids[None])
    with pytest.raises(ValueError, match='variant'):
        NumberTokenLoss(digit_tokenizer_cfg, variant='l1')
