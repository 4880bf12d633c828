"""MCN's losses against direct, loop-by-loop computations of their formulas."""

import math

import pytest
import torch

from vltoolkit.registry import LOSSES


def _direct_mms(x, y, margin):
    b = x.shape[0]
    s = [[float(x[i] @ y[j]) - (margin if i == j else 0.0) for j in range(b)] for i in range(b)]
    total = 0.0
    for i in range(b):
        row = sum(math.exp(s[i][j]) for j in range(b))
        col = sum(math.exp(s[j][i]) for j in range(b))
        total -= math.log(math.exp(s[i][i]) / row) + math.log(math.exp(s[i][i]) / col)
    return total / b


def test_mms_loss_matches_the_formula():
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(5, 4, generator=g), torch.randn(5, 4, generator=g)
    for margin in (0.0, 0.001, 0.5):
        loss = LOSSES.build(dict(type='MMSLoss', margin=margin))(x, y)
        assert loss.item() == pytest.approx(_direct_mms(x, y, margin), rel=1e-5)
    weighted = LOSSES.build(dict(type='MMSLoss', margin=0.1, loss_weight=3.0))(x, y)
    assert weighted.item() == pytest.approx(3 * _direct_mms(x, y, 0.1), rel=1e-5)


def test_mms_loss_is_symmetric_and_rewards_matching_pairs():
    g = torch.Generator().manual_seed(1)
    x, y = torch.randn(6, 8, generator=g), torch.randn(6, 8, generator=g)
    mms = LOSSES.build(dict(type='MMSLoss'))
    assert torch.allclose(mms(x, y), mms(y, x))
    assert mms(4 * x, 4 * x) < mms(x, y)
    with pytest.raises(ValueError, match='differ in shape'):
        mms(x, y[:5])


def _direct_cluster(x, centroids, labels, margin):
    total = 0.0
    for i in range(x.shape[0]):
        s = [
            float(x[i] @ centroids[k]) - (margin if k == labels[i] else 0.0)
            for k in range(centroids.shape[0])
        ]
        total -= math.log(math.exp(s[labels[i]]) / sum(math.exp(v) for v in s))
    return total / x.shape[0]


def test_cluster_contrast_loss_matches_the_formula_and_stops_centroid_gradients():
    g = torch.Generator().manual_seed(2)
    x = torch.randn(7, 3, generator=g, requires_grad=True)
    centroids = torch.randn(4, 3, generator=g, requires_grad=True)
    labels = torch.tensor([0, 1, 2, 3, 0, 1, 2])
    loss = LOSSES.build(dict(type='ClusterContrastLoss', margin=0.2))(x, centroids, labels)
    assert loss.item() == pytest.approx(
        _direct_cluster(x.detach(), centroids.detach(), labels.tolist(), 0.2), rel=1e-5
    )
    loss.backward()
    assert x.grad is not None and centroids.grad is None


def test_reconstruction_loss_is_weighted_per_sample_mse():
    g = torch.Generator().manual_seed(3)
    pred, target = torch.randn(4, 6, generator=g), torch.randn(4, 6, generator=g)
    loss = LOSSES.build(dict(type='FeatureReconstructionLoss', loss_weight=50.0))(pred, target)
    direct = sum(((pred[i] - target[i]) ** 2).sum().item() / 6 for i in range(4)) / 4
    assert loss.item() == pytest.approx(50 * direct, rel=1e-5)
    with pytest.raises(ValueError, match='prediction'):
        LOSSES.build(dict(type='FeatureReconstructionLoss'))(pred, target[:, :5])


def test_reconstruction_target_gradient_follows_the_official_code():
    """Not detached by default: dL/dx = -2 lambda / (B D) (pred - x)."""
    g = torch.Generator().manual_seed(4)
    pred = torch.randn(3, 5, generator=g, dtype=torch.float64)
    target = torch.randn(3, 5, generator=g, dtype=torch.float64, requires_grad=True)
    loss = LOSSES.build(dict(type='FeatureReconstructionLoss', loss_weight=50.0))
    (grad,) = torch.autograd.grad(loss(pred, target), [target])
    torch.testing.assert_close(grad, -2 * 50.0 / (3 * 5) * (pred - target.detach()))
    detached = LOSSES.build(dict(type='FeatureReconstructionLoss', detach_target=True))
    out = detached(pred.requires_grad_(), target)
    assert out.item() == pytest.approx(loss(pred, target).item())
    (grad_target,) = torch.autograd.grad(out, [target], allow_unused=True)
    assert grad_target is None
