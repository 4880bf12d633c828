"""sinkhorn_log / SinkhornAlignLoss: dense reference, marginals, masks, errors."""

import logging

import numpy as np
import pytest
import torch
from scipy.optimize import linprog

from vltoolkit.losses import SinkhornAlignLoss, sinkhorn_log
from vltoolkit.registry import LOSSES


def dense_sinkhorn(C, eps, iters):
    """The textbook plain-domain algorithm on one unpadded problem (float64):
    K = exp(-C/eps); v = b / K^T u; u = a / K v; P = diag(u) K diag(v)."""
    n, m = C.shape
    a, b = np.full(n, 1 / n), np.full(m, 1 / m)
    K = np.exp(-C / eps)
    u, v = np.ones(n), np.ones(m)
    for _ in range(iters):
        v = b / (K.T @ u)
        u = a / (K @ v)
    return u[:, None] * K * v[None, :]


def exact_ot(C):
    """The unregularised plan (linear programme), uniform marginals."""
    n, m = C.shape
    A = np.zeros((n + m, n * m))
    for i in range(n):
        A[i, i * m : (i + 1) * m] = 1
    for j in range(m):
        A[n + j, j::m] = 1
    b = np.concatenate([np.full(n, 1 / n), np.full(m, 1 / m)])
    res = linprog(C.reshape(-1), A_eq=A, b_eq=b, bounds=(0, None), method='highs')
    return res.x.reshape(n, m)


def test_plan_agrees_with_dense_computation_per_sample_under_padding():
    rng = np.random.default_rng(0)
    costs = [rng.uniform(0, 2, size=(5, 4)), rng.uniform(0, 2, size=(3, 6))]
    B, N, M = 2, 5, 6
    cost = torch.full((B, N, M), 7.0, dtype=torch.float64)  # padding: any value
    a_mask = torch.zeros(B, N, dtype=torch.bool)
    b_mask = torch.zeros(B, M, dtype=torch.bool)
    for k, C in enumerate(costs):
        cost[k, : C.shape[0], : C.shape[1]] = torch.from_numpy(C)
        a_mask[k, : C.shape[0]] = True
        b_mask[k, : C.shape[1]] = True
    plan = sinkhorn_log(cost, a_mask, b_mask, epsilon=0.1, num_iters=200)
    for k, C in enumerate(costs):
        n, m = C.shape
        ref = dense_sinkhorn(C, 0.1, 200)
        np.testing.assert_allclose(plan[k, :n, :m].numpy(), ref, atol=1e-14)
        # marginals: rows exactly a (last update), columns converged to b
        np.testing.assert_allclose(plan[k, :n, :m].sum(1).numpy(), 1 / n, atol=1e-14)
        np.testing.assert_allclose(plan[k, :n, :m].sum(0).numpy(), 1 / m, atol=1e-10)
        assert plan[k, n:].abs().sum() == 0 and plan[k, :, m:].abs().sum() == 0


def test_log_domain_stays_finite_at_small_epsilon_and_approaches_exact_ot():
    rng = np.random.default_rng(0)
    C = rng.uniform(0, 2, size=(3, 5))
    with np.errstate(all='ignore'):  # the plain kernel exp(-C/1e-3) underflows
        assert not np.isfinite(dense_sinkhorn(C, 1e-3, 50)).all()
    plan = sinkhorn_log(torch.from_numpy(C)[None], epsilon=1e-3, num_iters=1000, tol=1e-13)[
        0
    ].numpy()
    np.testing.assert_allclose(plan.sum(1), 1 / 3, atol=1e-14)
    np.testing.assert_allclose(plan.sum(0), 1 / 5, atol=1e-12)
    np.testing.assert_allclose(plan, exact_ot(C), atol=1e-12)


def test_float32_log_domain_matches_float64_where_float32_kernel_underflows():
    rng = np.random.default_rng(3)
    C = rng.uniform(1.1, 2, size=(4, 6))  # exp(-C/0.01) < 1e-47: 0 in float32
    assert (np.exp(-C.astype(np.float32) / np.float32(0.01)) == 0).all()
    ref = dense_sinkhorn(C, 0.01, 300)  # float64 copes
    plan = (
        sinkhorn_log(torch.from_numpy(C).float()[None], epsilon=0.01, num_iters=300)[0]
        .double()
        .numpy()
    )
    np.testing.assert_allclose(plan, ref, atol=1e-6)


def test_early_stop_tolerance():
    C = torch.rand(2, 6, 3, dtype=torch.float64)
    full = sinkhorn_log(C, epsilon=0.2, num_iters=500)
    early = sinkhorn_log(C, epsilon=0.2, num_iters=500, tol=1e-13)
    assert torch.allclose(full, early, atol=1e-11)


def test_loss_is_transported_cost_with_plan_gradient_stopped():
    torch.manual_seed(0)
    patch = torch.randn(3, 5, 8, dtype=torch.float64, requires_grad=True)
    token = torch.randn(3, 4, 8, dtype=torch.float64, requires_grad=True)
    token_mask = torch.tensor([[1, 1, 1, 1], [1, 1, 0, 0], [1, 0, 0, 0]]).bool()
    loss_fn = LOSSES.build(dict(type='SinkhornAlignLoss', epsilon=0.1, num_iters=100))
    loss = loss_fn(patch, token, None, token_mask)
    cost = 1 - torch.nn.functional.cosine_similarity(patch[:, :, None], token[:, None], dim=-1)
    plan = sinkhorn_log(cost.detach(), None, token_mask, 0.1, 100)
    ref = (plan * cost).sum((1, 2)).mean()
    assert loss.item() == pytest.approx(ref.item(), abs=1e-12)
    g = torch.autograd.grad(loss, [patch, token])
    g_ref = torch.autograd.grad(ref, [patch, token])
    assert all(torch.allclose(x, y, atol=1e-12) for x, y in zip(g, g_ref))
    # padded tokens get no gradient
    assert g[1][1, 2:].abs().sum() == 0 and g[1][2, 1:].abs().sum() == 0


def test_minimising_aligns_matched_pairs_and_negatives_term():
    torch.manual_seed(0)
    patch = torch.randn(2, 4, 6, requires_grad=True)
    token = torch.randn(2, 3, 6)
    loss_fn = SinkhornAlignLoss(epsilon=0.05)
    opt = torch.optim.SGD([patch], lr=2.0)
    first = loss_fn(patch, token).item()
    for _ in range(30):
        opt.zero_grad()
        loss = loss_fn(patch, token)
        loss.backward()
        opt.step()
    assert loss.item() < 0.7 * first
    neg_fn = SinkhornAlignLoss(epsilon=0.05, negatives=True)
    pos = loss_fn.transported_cost(patch, token, torch.ones(2, 4).bool(), torch.ones(2, 3).bool())
    negs = loss_fn.transported_cost(
        patch, token.roll(-1, 0), torch.ones(2, 4).bool(), torch.ones(2, 3).bool()
    )
    assert neg_fn(patch, token).item() == pytest.approx(
        ((pos.sum() - negs.sum()) / 4).item(), abs=1e-6
    )


def test_negatives_on_a_batch_of_one_warn_once_and_use_positives(monkeypatch):
    from vltoolkit.losses import sinkhorn_align

    logged = []
    monkeypatch.setattr(
        sinkhorn_align, 'print_log', lambda msg, **kw: logged.append((msg, kw.get('level')))
    )
    torch.manual_seed(3)
    patch, token = torch.randn(1, 4, 6), torch.randn(1, 3, 6)
    loss_fn = SinkhornAlignLoss(negatives=True, loss_weight=2.0)
    pos = loss_fn.transported_cost(patch, token, torch.ones(1, 4).bool(), torch.ones(1, 3).bool())
    assert loss_fn(patch, token).item() == pytest.approx(2 * pos.item(), abs=1e-6)
    assert len(logged) == 1
    assert 'batch of one' in logged[0][0] and logged[0][1] == logging.WARNING
    loss_fn(patch, token)  # once per loss instance
    loss_fn(torch.randn(2, 4, 6), torch.randn(2, 3, 6))  # B >= 2: nothing to say
    assert len(logged) == 1
    SinkhornAlignLoss(negatives=False)(patch, token)  # no negatives asked for
    assert len(logged) == 1


def test_bad_input_errors():
    loss = SinkhornAlignLoss()
    with pytest.raises(ValueError, match=r'patch_feats \(2, 5, 8\).*token_feats \(2, 4, 6\)'):
        loss(torch.randn(2, 5, 8), torch.randn(2, 4, 6))
    with pytest.raises(ValueError, match=r'patch_feats \(2, 5, 8\).*token_feats \(3, 4, 8\)'):
        loss(torch.randn(2, 5, 8), torch.randn(3, 4, 8))
    with pytest.raises(ValueError, match=r'token_mask is all padding for sample\(s\) \[1\]'):
        loss(
            torch.randn(2, 5, 8),
            torch.randn(2, 4, 8),
            None,
            torch.tensor([[1, 1, 0, 0], [0, 0, 0, 0]]),
        )
    with pytest.raises(ValueError, match=r'patch_mask has shape \(2, 4\)'):
        loss(torch.randn(2, 5, 8), torch.randn(2, 4, 8), torch.ones(2, 4))
    with pytest.raises(ValueError, match='all-padding'):
        sinkhorn_log(torch.rand(1, 2, 2), torch.zeros(1, 2, dtype=torch.bool))
