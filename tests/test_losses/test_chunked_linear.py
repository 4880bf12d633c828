"""The chunked token loss (hidden states + LM head, a chunk of positions at a
time) against the materialised path (full logits, then the loss), in
float32: values and gradients (hidden, LM-head weight and bias) to 1e-5
relative, for CE (ids, label smoothing, distance-inverse soft targets) and
GEM (linear, logsigmoid; ids and soft), with ignored and padded positions,
per-sample weights, and chunk sizes that do and do not divide the count."""

import pytest
import torch
import torch.nn.functional as F
from torch.utils._python_dispatch import TorchDispatchMode

from vltoolkit.label_encoders import DistanceLabelEncoder
from vltoolkit.losses import GEMLoss, TokenCrossEntropyLoss
from vltoolkit.losses.chunked_linear import chunked_linear_token_loss
from vltoolkit.losses.log_prob_terms import SparseTarget
from vltoolkit.tokenization import build_tokenizer

V, D = 300, 24
LOSSES = {
    'ce': lambda: TokenCrossEntropyLoss(),
    'ce_smooth': lambda: TokenCrossEntropyLoss(label_smoothing=0.1, loss_weight=0.5),
    'gem_linear': lambda: GEMLoss(beta=0.7),
    'gem_logsigmoid': lambda: GEMLoss(beta=0.7, h='logsigmoid'),
}


@pytest.fixture(scope='module')
def encoder(tiny_tokenizer_cfg):
    return DistanceLabelEncoder(tiny_tokenizer_cfg, power=1.0, window=1.5)


def _problem(tok, batch=3, length=11, seed=0):
    """hidden [B, T, D], head (W, b), ids [B, T] with location tokens, text
    tokens, ignored positions (-100) and right padding (-100 tails)."""
    g = torch.Generator().manual_seed(seed)
    hidden = torch.randn(batch, length, D, generator=g)
    weight = torch.randn(V, D, generator=g) * 0.5
    bias = torch.randn(V, generator=g) * 0.1
    loc = tok.location_token_ids
    ids = torch.randint(0, V, (batch, length), generator=g)
    pick = torch.rand(batch, length, generator=g) < 0.5
    ids = torch.where(pick, loc[torch.randint(0, len(loc), (batch, length), generator=g)], ids)
    ids[:, 0] = -100  # ignored (e.g. prompt) positions
    ids[0, 7:] = -100  # padding
    ids[1, 9:] = -100
    return hidden, weight, bias, ids


def _run(path, loss, hidden, weight, bias, ids, encoder, chunk, softcap=None, sample=False):
    h, w, b = (t.clone().requires_grad_() for t in (hidden, weight, bias))
    flat_ids = ids.reshape(-1)
    weights = None
    if sample:
        lengths = (ids != -100).sum(1, keepdim=True).clamp(min=1)
        weights = (1.0 / lengths).expand_as(ids).reshape(-1)
    avg = torch.tensor(2.0) if sample else None
    if path == 'materialised':
        z = F.linear(h.reshape(-1, D), w, b)
        if softcap is not None:
            z = torch.tanh(z / softcap) * softcap
        target = flat_ids if encoder is None else encoder(flat_ids, V)
        out = loss(z, target, avg_factor=avg, weight=weights)
    else:
        encode = None if encoder is None else (lambda i: encoder.sparse(i, V))
        out = chunked_linear_token_loss(
            loss,
            h.reshape(-1, D),
            w,
            flat_ids,
            bias=b,
            encode=encode,
            avg_factor=avg,
            position_weight=weights,
            chunk_size=chunk,
            softcap=softcap,
        )
    out.backward()
    return out.detach(), h.grad, w.grad, b.grad


def _assert_same(a, b):
    for x, y in zip(a, b):
        torch.testing.assert_close(x, y, rtol=1e-5, atol=1e-5 * float(y.abs().max()))


@pytest.mark.parametrize('kind', sorted(LOSSES))
@pytest.mark.parametrize('soft', [False, True], ids=['ids', 'distance'])
@pytest.mark.parametrize('chunk', [1, 7, 1000])
def test_chunked_equals_materialised(kind, soft, chunk, encoder, tiny_tokenizer_cfg):
    tok = build_tokenizer(tiny_tokenizer_cfg)
    problem = _problem(tok)
    enc = encoder if soft else None
    ref = _run('materialised', LOSSES[kind](), *problem, enc, chunk)
    got = _run('chunked', LOSSES[kind](), *problem, enc, chunk)
    assert float(ref[0]) > 0
    _assert_same(got, ref)


@pytest.mark.parametrize('kind', ['ce', 'gem_linear'])
def test_sample_weights_avg_factor_and_softcap(kind, encoder, tiny_tokenizer_cfg):
    tok = build_tokenizer(tiny_tokenizer_cfg)
    problem = _problem(tok, seed=1)
    kw = dict(softcap=2.0, sample=True)
    ref = _run('materialised', LOSSES[kind](), *problem, encoder, 5, **kw)
    got = _run('chunked', LOSSES[kind](), *problem, encoder, 5, **kw)
    _assert_same(got, ref)


def test_sparse_target_is_the_dense_target(encoder, tiny_tokenizer_cfg):
    tok = build_tokenizer(tiny_tokenizer_cfg)
    ids = _problem(tok)[-1].reshape(-1)
    sparse = encoder.sparse(ids, V)
    assert isinstance(sparse, SparseTarget) and sparse.index.shape[1] < V
    torch.testing.assert_close(sparse.to_dense(V), encoder(ids, V), rtol=0, atol=0)
    # the losses read both forms the same
    logits = torch.randn(ids.numel(), V)
    for make in LOSSES.values():
        loss = make()
        torch.testing.assert_close(loss(logits, sparse), loss(logits, encoder(ids, V)))


def test_frozen_head_gets_no_gradient_and_no_target_is_zero():
    loss = TokenCrossEntropyLoss()
    g = torch.Generator().manual_seed(0)
    hidden = torch.randn(6, D, generator=g).requires_grad_()
    weight = torch.randn(V, D, generator=g)  # frozen
    ids = torch.tensor([1, 2, -100, 3, -100, 4])
    chunked_linear_token_loss(loss, hidden, weight, ids, chunk_size=2).backward()
    ref_h = hidden.detach().clone().requires_grad_()
    loss(ref_h @ weight.t(), ids).backward()
    _assert_same([hidden.grad], [ref_h.grad])
    hidden.grad = None
    out = chunked_linear_token_loss(loss, hidden, weight, torch.full((6,), -100), chunk_size=2)
    out.backward()
    assert float(out.detach()) == 0.0 and float(hidden.grad.abs().sum()) == 0.0


class _LargestTensor(TorchDispatchMode):
    """The largest number of elements of any tensor an op returns."""

    def __init__(self):
        super().__init__()
        self.largest = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        for t in out if isinstance(out, (tuple, list)) else (out,):
            if isinstance(t, torch.Tensor):
                self.largest = max(self.largest, t.numel())
        return out


@pytest.mark.parametrize('kind', sorted(LOSSES))
def test_no_tensor_grows_with_positions_times_vocab(kind, encoder, tiny_tokenizer_cfg):
    """With about 50 target positions, chunks of 4 and soft targets, no
    tensor of the forward or backward is larger than the LM head ([V, D]) or
    a chunk of logits ([4, V]); the materialised path builds [positions, V]."""
    tok = build_tokenizer(tiny_tokenizer_cfg)
    problem = _problem(tok, batch=6)
    sizes = {}
    for path in ('materialised', 'chunked'):
        with _LargestTensor() as mode:
            _run(path, LOSSES[kind](), *problem, encoder, 4)
        sizes[path] = mode.largest
    positions = int((problem[-1] != -100).sum())
    assert sizes['materialised'] >= positions * V
    # GEM logsigmoid weighs each of a row's K target tokens: [4, K, V] blocks
    k = encoder.support_index.shape[1] if kind == 'gem_logsigmoid' else 1
    assert sizes['chunked'] <= max(V * D, 4 * k * V) < positions * V
