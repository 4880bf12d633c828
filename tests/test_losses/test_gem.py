import math

import pytest
import torch
import torch.nn.functional as F

from vltoolkit.label_encoders import OneHotLabelEncoder
from vltoolkit.losses import GEMLoss
from vltoolkit.registry import LOSSES

H = ('linear', 'logsigmoid')


def _case(n=7, v=11, seed=0):
    g = torch.Generator().manual_seed(seed)
    logits = 3 * torch.randn(n, v, generator=g, dtype=torch.float64)
    ids = torch.randint(0, v, (n,), generator=g)
    ids[1] = ids[4] = -100
    return logits, ids


def _soft(n, v, seed=1, zero_rows=(2,), sparse=True):
    g = torch.Generator().manual_seed(seed)
    t = torch.rand(n, v, generator=g, dtype=torch.float64)
    if sparse:  # supports of different sizes, some one-hot
        t = t * (torch.rand(n, v, generator=g, dtype=torch.float64) < 0.4)
        t[:, 0] += 1e-3
        t[0] = 0
        t[0, 3] = 1
    t = t / t.sum(-1, keepdim=True)
    for r in zero_rows:
        t[r] = 0
    return t


def _per_id_loop(z, y, beta, h):
    """The formula of one position, written out token by token."""
    p = torch.softmax(z, -1)
    q = torch.softmax(z.detach() / beta, -1)
    total = z.new_zeros(())
    for v in range(z.shape[0]):
        w = 1.0 if h == 'linear' else torch.sigmoid(0.01 * (z[v] - z[y])).detach()
        total = total + q[v] * w * (torch.log(p[v]) - torch.log(p[y]))
    return total


def _reference(logits, target, beta, h):
    """Mean over valid positions of the per-id loss, or of its expectation
    under each target row (a brute-force double loop)."""
    losses = []
    for n in range(logits.shape[0]):
        if target.dim() == 1:
            if target[n] == -100:
                continue
            losses.append(_per_id_loop(logits[n], int(target[n]), beta, h))
        else:
            if target[n].sum() == 0:
                continue
            losses.append(
                sum(
                    target[n, y] * _per_id_loop(logits[n], y, beta, h)
                    for y in range(logits.shape[1])
                    if target[n, y] > 0
                )
            )
    return torch.stack(losses).mean()


def _grad(fn, logits):
    z = logits.detach().clone().requires_grad_(True)
    fn(z).backward()
    return z.grad


@pytest.mark.parametrize('h', H)
@pytest.mark.parametrize('beta', [0.3, 0.7, 1.0, 2.0])
def test_ids_match_the_per_token_loop(h, beta):
    logits, ids = _case()
    loss = GEMLoss(beta=beta, h=h)
    got = loss(logits, ids)
    assert got.dtype == torch.float64
    assert torch.allclose(got, _reference(logits, ids, beta, h), atol=1e-12)
    assert torch.allclose(
        _grad(lambda z: loss(z, ids), logits),
        _grad(lambda z: _reference(z, ids, beta, h), logits),
        atol=1e-12,
    )


def test_linear_gradient_is_q_minus_onehot():
    logits, ids = _case()
    beta, keep = 0.7, ids != -100
    grad = _grad(lambda z: GEMLoss(beta=beta)(z, ids), logits)
    q = torch.softmax(logits / beta, -1)
    e = F.one_hot(ids.clamp(min=0), logits.shape[1]).double()
    expected = (q - e) * keep[:, None] / keep.sum()
    assert torch.allclose(grad, expected, atol=1e-14)


def test_logsigmoid_gradient_is_qw_minus_sum_qw_onehot():
    logits, ids = _case()
    beta, keep = 0.7, ids != -100
    grad = _grad(lambda z: GEMLoss(beta=beta, h='logsigmoid')(z, ids), logits)
    q = torch.softmax(logits / beta, -1)
    z_y = logits.gather(1, ids.clamp(min=0)[:, None])
    w = torch.sigmoid(0.01 * (logits - z_y))
    e = F.one_hot(ids.clamp(min=0), logits.shape[1]).double()
    expected = q * w - (q * w).sum(-1, keepdim=True) * e
    expected = expected * keep[:, None] / keep.sum()
    assert torch.allclose(grad, expected, atol=1e-14)


def test_linear_soft_gradient_is_q_minus_t_and_value_closed_form():
    logits, _ = _case()
    t = _soft(*logits.shape, sparse=False)
    beta, keep = 0.7, t.sum(-1) > 0
    loss = GEMLoss(beta=beta)
    q = torch.softmax(logits / beta, -1)
    log_p = torch.log_softmax(logits, -1)
    closed = ((q * log_p).sum(-1) - (t * log_p).sum(-1))[keep].mean()
    assert torch.allclose(loss(logits, t), closed, atol=1e-13)
    grad = _grad(lambda z: loss(z, t), logits)
    assert torch.allclose(grad, (q - t) * keep[:, None] / keep.sum(), atol=1e-14)


def test_linear_soft_stationary_point_is_p_proportional_to_t_pow_beta():
    t = torch.softmax(torch.randn(5, 9, dtype=torch.float64), -1)
    beta = 0.7
    grad = _grad(lambda z: GEMLoss(beta=beta)(z, t), beta * torch.log(t))
    assert grad.abs().max() < 1e-15


@pytest.mark.parametrize('h', H)
def test_one_hot_distribution_equals_ids(h):
    logits, ids = _case()
    dist = OneHotLabelEncoder()(ids, logits.shape[1]).double()
    loss = GEMLoss(beta=0.6, h=h)
    assert torch.allclose(loss(logits, dist), loss(logits, ids), atol=1e-14)
    assert torch.allclose(
        _grad(lambda z: loss(z, dist), logits), _grad(lambda z: loss(z, ids), logits), atol=1e-15
    )


@pytest.mark.parametrize('h', H)
@pytest.mark.parametrize('chunk', [None, 7])
def test_soft_target_is_the_brute_force_expectation(h, chunk, monkeypatch):
    logits, _ = _case(n=6, v=9)
    t = _soft(6, 9)
    loss = GEMLoss(beta=0.7, h=h)
    if chunk is not None:  # tiny chunks: one row per block
        monkeypatch.setattr(loss, 'max_chunk_elements', chunk)
    assert torch.allclose(loss(logits, t), _reference(logits, t, 0.7, h), atol=1e-12)
    assert torch.allclose(
        _grad(lambda z: loss(z, t), logits),
        _grad(lambda z: _reference(z, t, 0.7, h), logits),
        atol=1e-12,
    )


def test_logsigmoid_soft_gradient_is_the_expected_gradient():
    logits, _ = _case()
    t = _soft(*logits.shape)
    beta, keep = 0.7, t.sum(-1) > 0
    grad = _grad(lambda z: GEMLoss(beta, 'logsigmoid')(z, t), logits)
    q = torch.softmax(logits / beta, -1)
    expected = torch.zeros_like(logits)
    for y in range(logits.shape[1]):
        w = torch.sigmoid(0.01 * (logits - logits[:, y : y + 1]))
        e = F.one_hot(torch.tensor(y), logits.shape[1]).double()
        expected += t[:, y : y + 1] * (q * w - (q * w).sum(-1, keepdim=True) * e)
    assert torch.allclose(grad, expected * keep[:, None] / keep.sum(), atol=1e-14)


def test_beta_one_linear_gradient_equals_cross_entropy_gradient():
    logits, ids = _case()
    gem = _grad(lambda z: GEMLoss(beta=1.0)(z, ids), logits)
    ce = _grad(lambda z: F.cross_entropy(z, ids, ignore_index=-100), logits)
    assert torch.allclose(gem, ce, atol=1e-15)
    # the value is CE - H(p), not CE
    keep = ids != -100
    p = torch.softmax(logits, -1)
    entropy = -(p * torch.log(p)).sum(-1)[keep].mean()
    assert torch.allclose(GEMLoss(beta=1.0)(logits, ids), F.cross_entropy(logits, ids) - entropy)


@pytest.mark.parametrize('h', H)
def test_avg_factor_divides_the_sum_and_loss_weight_scales(h):
    logits, ids = _case()
    n_valid = int((ids != -100).sum())
    mean = GEMLoss(h=h)(logits, ids)
    got = GEMLoss(h=h, loss_weight=3.0)(logits, ids, avg_factor=torch.tensor(2.0))
    assert torch.allclose(got, 3.0 * mean * n_valid / 2)


def test_builds_from_the_registry():
    loss = LOSSES.build(dict(type='GEMLoss', beta=0.5, h='logsigmoid'))
    assert isinstance(loss, GEMLoss)
    assert (loss.beta, loss.h) == (0.5, 'logsigmoid')


@pytest.mark.parametrize('beta', [0, -0.5, float('nan')])
def test_nonpositive_beta_raises_with_the_value(beta):
    with pytest.raises(ValueError, match=f'beta must be > 0, got {beta!r}'):
        GEMLoss(beta=beta)


def test_unknown_h_raises():
    with pytest.raises(ValueError, match="'sigmoid'"):
        GEMLoss(h='sigmoid')


@pytest.mark.parametrize('h', H)
def test_soft_row_not_summing_to_one_names_row_and_sum(h):
    logits, _ = _case()
    t = _soft(*logits.shape, sparse=False)
    t[5] *= 0.9
    with pytest.raises(ValueError, match=r'row 5 sums to 0\.9\b'):
        GEMLoss(h=h)(logits, t)
    t[5] /= 0.9
    t[5, 0] -= 1e-4  # within the tolerance
    GEMLoss(h=h)(logits, t)
    t[6, 0], t[6, 1] = -0.5, t[6, 1] + t[6, 0] + 0.5
    with pytest.raises(ValueError, match='row 6 has a negative entry'):
        GEMLoss(h=h)(logits, t)


@pytest.mark.parametrize('h', H)
def test_no_valid_position_gives_zero_that_backpropagates(h):
    logits = torch.randn(3, 5, requires_grad=True)
    for target in (torch.full((3,), -100), torch.zeros(3, 5)):
        loss = GEMLoss(h=h)(logits, target)
        assert loss.item() == 0.0 and not torch.isnan(loss)
        loss.backward()
        assert torch.equal(logits.grad, torch.zeros_like(logits))
        logits.grad = None


@pytest.mark.parametrize('h', H)
def test_empty_batch_and_low_precision(h):
    assert GEMLoss(h=h)(torch.zeros(0, 4), torch.zeros(0, dtype=torch.long)).item() == 0.0
    logits, ids = _case()
    got = GEMLoss(h=h)(logits.to(torch.bfloat16), ids)
    assert got.dtype == torch.float32 and math.isfinite(got.item())
    assert abs(got.item() - GEMLoss(h=h)(logits, ids).item()) < 0.05


def test_large_vocabulary_one_hot_rows_stay_cheap():
    # ids: K = 1, no [N, V, V] tensor (this would need 64 GB)
    logits = torch.randn(64, 32000)
    ids = torch.randint(0, 32000, (64,))
    loss = GEMLoss(h='logsigmoid')(logits, ids)
    assert math.isfinite(loss.item())
