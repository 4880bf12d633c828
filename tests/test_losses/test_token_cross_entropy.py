import pytest
import torch
import torch.nn.functional as F

from vltoolkit.label_encoders import OneHotLabelEncoder
from vltoolkit.losses import TokenCrossEntropyLoss


def _case(n=7, v=11, seed=0):
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(n, v, generator=g, dtype=torch.float64)
    ids = torch.randint(0, v, (n,), generator=g)
    ids[1] = ids[4] = -100
    return logits, ids


def test_ids_match_torch_cross_entropy():
    logits, ids = _case()
    got = TokenCrossEntropyLoss()(logits, ids)
    assert torch.allclose(got, F.cross_entropy(logits, ids, ignore_index=-100))


def test_one_hot_distribution_equals_ids_with_smoothing():
    logits, ids = _case()
    loss = TokenCrossEntropyLoss(label_smoothing=0.1)
    dist = OneHotLabelEncoder()(ids, logits.shape[1]).double()
    expected = F.cross_entropy(logits, ids, ignore_index=-100, label_smoothing=0.1)
    assert torch.allclose(loss(logits, ids), expected)
    assert torch.allclose(loss(logits, dist), expected)


def test_soft_target_follows_formula_and_gradient():
    logits, _ = _case()
    logits.requires_grad_(True)
    target = torch.softmax(torch.randn(7, 11, dtype=torch.float64), -1)
    target[2] = 0  # an ignored row
    loss = TokenCrossEntropyLoss()(logits, target)
    keep = target.sum(-1) > 0
    by_hand = -(target[keep] * torch.log_softmax(logits[keep], -1)).sum(-1).mean()
    assert torch.allclose(loss, by_hand)
    loss.backward()
    # d/dz of mean CE is (p - t) / n_valid on valid rows, 0 on ignored ones
    p = torch.softmax(logits.detach(), -1)
    expected = (p - target) * keep[:, None] / keep.sum()
    assert torch.allclose(logits.grad, expected)


def test_avg_factor_divides_the_sum():
    logits, ids = _case()
    total = F.cross_entropy(logits, ids, ignore_index=-100, reduction='sum')
    got = TokenCrossEntropyLoss()(logits, ids, avg_factor=torch.tensor(2.0))
    assert torch.allclose(got, total / 2)


def test_no_valid_position_gives_zero_that_backpropagates():
    logits = torch.randn(3, 5, requires_grad=True)
    for target in (torch.full((3,), -100), torch.zeros(3, 5)):
        loss = TokenCrossEntropyLoss()(logits, target)
        assert loss.item() == 0.0 and not torch.isnan(loss)
        loss.backward()
        assert torch.equal(logits.grad, torch.zeros_like(logits))


def test_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r'\(3, 5\).*\(3, 6\)'):
        TokenCrossEntropyLoss()(torch.randn(3, 5), torch.rand(3, 6))
