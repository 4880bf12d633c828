"""Pins the loss and the greedy answers of the Florence-2, PaliGemma and
Kosmos-2 toy twins on a fixed toy batch, as recorded before the families
moved into one module each (issue 20): the move must not change them.

Recorded with the code of commit c27befe (before the move): a tiny random
folder per family (``save_toy_vlm(..., image_size=64, width=64, seed=0)``
over the first 8 toy HOI samples), the token-CE loss of samples 0..3 and
the greedy answers (24 new tokens at most) of the same 4 samples after
``STEPS`` AdamW steps on them (lr ``LR``).
"""

import pytest
import torch

from .pretrained_vlm_helpers import FAMILIES, IMG, build_vlm, make_batch, toy_hoi_texts_and_samples

STEPS, LR = 15, 3e-3
# family -> (loss_token, greedy answers of samples 0..3)
PINNED = {
    'florence2': (6.963827610015869, ['skateboard', 'skateboard', 'skateboard', 'skateboard']),
    'kosmos2': (6.951862335205078, ['stand', 'skateboard', 'skateboard', 'stand']),
    'paligemma': (
        6.894385814666748,
        ['skateboard', 'skateboard', 'skateboard skateboard skateboard skateboard', 'skateboard'],
    ),
}


def _loss_and_answers(root, family):
    from vltoolkit.models.pretrained_vlms.toy import save_toy_vlm

    texts, samples = toy_hoi_texts_and_samples(root, family)
    folder = root / family
    save_toy_vlm(family, str(folder), texts, image_size=IMG, width=64, seed=0)
    torch.manual_seed(0)
    model = build_vlm(folder, family)
    model.eval()
    data = make_batch(model, samples[:4])
    with torch.no_grad():
        loss = float(model.loss(**data)['loss_token'])
    # a few steps, so that the greedy answers are not one repeated token
    optim = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=LR)
    for _ in range(STEPS):
        optim.zero_grad()
        model.loss(**data)['loss_token'].backward()
        optim.step()
    answers = [s.pred_text for s in model.predict(**data)]
    return loss, answers


@pytest.mark.slow
@pytest.mark.parametrize('family', sorted(FAMILIES))
def test_loss_and_greedy_answers_are_pinned(tmp_path_factory, family):
    from mmengine.registry import init_default_scope

    init_default_scope('vltoolkit')
    loss, answers = _loss_and_answers(tmp_path_factory.mktemp('pins'), family)
    want_loss, want_answers = PINNED[family]
    assert loss == pytest.approx(want_loss, abs=1e-6)
    assert answers == want_answers
