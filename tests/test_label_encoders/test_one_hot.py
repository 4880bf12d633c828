import torch

from vltoolkit.label_encoders import OneHotLabelEncoder
from vltoolkit.registry import LABEL_ENCODERS


def test_rows_sum_to_one_and_ignored_rows_are_zero():
    ids = torch.tensor([3, -100, 0, 9])
    dist = LABEL_ENCODERS.build(dict(type='OneHotLabelEncoder'))(ids, 10)
    assert dist.shape == (4, 10)
    assert torch.equal(dist.sum(-1), torch.tensor([1.0, 0.0, 1.0, 1.0]))
    assert torch.equal(dist.argmax(-1)[[0, 2, 3]], torch.tensor([3, 0, 9]))


def test_vectorised_over_large_batches():
    ids = torch.randint(0, 50, (4096,))
    dist = OneHotLabelEncoder()(ids, 50)
    assert torch.equal(dist.argmax(-1), ids)
