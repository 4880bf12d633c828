import pytest
import torch
import torch.nn.functional as F
from transformers import ViltConfig, ViltForQuestionAnswering

from vltoolkit.losses import SoftTargetBCELoss


def test_equals_vilt_loss():
    torch.manual_seed(0)
    logits = torch.randn(4, 7)
    target = torch.zeros(4, 7)
    target[0, 1], target[1, 2], target[1, 3], target[3, 0] = 1.0, 0.3, 0.9, 0.6
    loss = SoftTargetBCELoss()(logits, target)
    # ViLT / transformers: mean BCE times the number of classes
    ref = F.binary_cross_entropy_with_logits(logits, target) * target.shape[1]
    assert loss.item() == pytest.approx(ref.item(), rel=1e-6)
    manual = -(target * F.logsigmoid(logits) + (1 - target) * F.logsigmoid(-logits)).sum(1).mean()
    assert loss.item() == pytest.approx(manual.item(), rel=1e-6)
    assert SoftTargetBCELoss(loss_weight=2)(logits, target, avg_factor=2).item() == pytest.approx(
        4 * loss.item(), rel=1e-6
    )


def test_matches_transformers_vilt_for_question_answering_loss():
    cfg = ViltConfig(
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        image_size=32,
        patch_size=16,
        vocab_size=20,
        num_labels=5,
    )
    model = ViltForQuestionAnswering(cfg).eval()
    ids = torch.tensor([[1, 5, 6, 2]])
    labels = torch.tensor([[0.0, 1.0, 0.3, 0.0, 0.0]])
    out = model(input_ids=ids, pixel_values=torch.randn(1, 3, 32, 32), labels=labels)
    assert SoftTargetBCELoss()(out.logits, labels).item() == pytest.approx(
        out.loss.item(), rel=1e-6
    )


def test_shape_error():
    with pytest.raises(ValueError, match=r'\(2, 3\).*\(2, 4\)'):
        SoftTargetBCELoss()(torch.zeros(2, 3), torch.zeros(2, 4))
