"""The token-loss contract (BaseTokenLoss) and the plugin example of
docs/custom_plugins.md, run as documented with every loss_normalization."""

import re
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from vltoolkit.losses import (
    LOSS_NORMALIZATIONS,
    BaseTokenLoss,
    GEMLoss,
    TokenCrossEntropyLoss,
    accepts_weight,
)
from vltoolkit.models.utils.token_loss import TokenLossMixin
from vltoolkit.registry import LOSSES
from vltoolkit.structures import IGNORE_INDEX

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / 'docs' / 'custom_plugins.md'
EXAMPLE = ROOT / 'docs' / 'examples' / 'my_project' / 'my_loss.py'


def _documented_loss_code() -> str:
    blocks = re.findall(r'```python\n(.*?)```', DOC.read_text(encoding='utf-8'), re.S)
    return next(b for b in blocks if 'class ScaledTokenLoss' in b)


@pytest.fixture
def documented_loss():
    """``ScaledTokenLoss`` as docs/custom_plugins.md writes it (executed,
    registered, then unregistered again)."""
    namespace = {}
    exec(compile(_documented_loss_code(), str(DOC), 'exec'), namespace)
    try:
        yield namespace['ScaledTokenLoss']
    finally:
        LOSSES._module_dict.pop('ScaledTokenLoss', None)


class _Model(TokenLossMixin):
    """The caller of the contract, as the text-generating models use it."""

    def __init__(self, loss, normalization):
        self.loss_module, self.label_encoder = loss, None
        self.loss_normalization = normalization


def _batch(seed=0, vocab=11):
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(3, 5, vocab, generator=g, requires_grad=True)
    labels = torch.randint(0, vocab, (3, 5), generator=g)
    labels[0, 3:] = IGNORE_INDEX  # target lengths 3, 5, 1
    labels[2, 1:] = IGNORE_INDEX
    return logits, labels


def _expected(logits, labels, normalization, scale):
    """Independent: per-sample token CE with F.cross_entropy."""
    per_sample = []
    for b in range(labels.shape[0]):
        keep = labels[b] != IGNORE_INDEX
        ce = F.cross_entropy(logits[b][keep], labels[b][keep], reduction='none')
        per_sample.append(ce)
    if normalization == 'token':
        return scale * torch.cat(per_sample).mean()
    return scale * torch.stack([ce.mean() for ce in per_sample]).mean()


def test_the_docs_example_is_the_example_file():
    code = _documented_loss_code()
    code = code[code.index('from vltoolkit') :]  # after the comment lines naming the file
    assert code.strip() in EXAMPLE.read_text(encoding='utf-8')


@pytest.mark.parametrize('normalization', LOSS_NORMALIZATIONS)
def test_documented_plugin_works_with_every_normalization(documented_loss, normalization):
    loss = LOSSES.build(dict(type='ScaledTokenLoss', scale=3.0))
    assert isinstance(loss, documented_loss) and accepts_weight(loss)
    logits, labels = _batch()
    value = _Model(loss, normalization).token_loss(logits, labels)
    torch.testing.assert_close(value, _expected(logits, labels, normalization, 3.0))
    value.backward()
    assert torch.isfinite(logits.grad).all() and logits.grad.abs().sum() > 0


@pytest.mark.parametrize('normalization', LOSS_NORMALIZATIONS)
def test_documented_plugin_takes_a_distribution_like_ids(documented_loss, normalization):
    loss = documented_loss(scale=2.0)
    logits, labels = _batch(seed=1)
    ids = labels.reshape(-1)
    dist = F.one_hot(ids.clamp(min=0), logits.shape[-1]).float()
    dist[ids == IGNORE_INDEX] = 0  # ignored rows are all zero
    flat = logits.reshape(ids.shape[0], -1)
    weight = None
    if normalization == 'sample':
        lengths = (labels != IGNORE_INDEX).sum(1, keepdim=True)
        weight = (1.0 / lengths).expand_as(labels).reshape(-1)
    kwargs = {} if weight is None else dict(weight=weight)
    torch.testing.assert_close(
        loss(flat, dist, avg_factor=torch.tensor(2.0), **kwargs),
        loss(flat, ids, avg_factor=torch.tensor(2.0), **kwargs),
    )


@pytest.mark.parametrize('loss_cls', [TokenCrossEntropyLoss, GEMLoss])
def test_the_shipped_token_losses_follow_the_contract(loss_cls):
    assert issubclass(loss_cls, BaseTokenLoss) and accepts_weight(loss_cls())


def test_a_loss_without_weight_is_refused_with_the_fix_under_sample():
    class OldLoss(torch.nn.Module):  # the docs example before the contract
        def forward(self, logits, target, avg_factor=None):
            return TokenCrossEntropyLoss()(logits, target, avg_factor=avg_factor)

    logits, labels = _batch()
    assert _Model(OldLoss(), 'token').token_loss(logits, labels).isfinite()
    with pytest.raises(TypeError, match='BaseTokenLoss.*token-loss contract'):
        _Model(OldLoss(), 'sample').token_loss(logits, labels)


def test_base_requires_per_position():
    with pytest.raises(NotImplementedError, match='per_position'):
        BaseTokenLoss()(torch.zeros(2, 3), torch.tensor([0, 1]))
