"""LoRA on the CLIP+ViLT VQA model: adapters only, base untouched, merge exact."""

import copy
import inspect

import torch

from vltoolkit.models.adapters import apply_lora, merge_lora
from vltoolkit.registry import MODELS

from .test_clip_vilt import batch_of, clip_vilt_cfg, one_thread, toy  # noqa: F401

LORA = dict(r=4, alpha=8, dropout=0.0, target_modules=['query', 'value', 'q_proj', 'v_proj'])


def _build(toy, lora=None):  # noqa: F811
    cfg = clip_vilt_cfg(toy)
    accepts = 'lora' in inspect.signature(MODELS.get('CLIPViLTVQA').__init__).parameters
    if lora and accepts:
        return MODELS.build(dict(cfg, lora=lora))
    model = MODELS.build(cfg)
    if lora:
        model.lora_targets = apply_lora(model, lora)
    return model


def test_clip_vilt_lora_trains_adapters_only_and_merges_exactly(toy):  # noqa: F811
    torch.manual_seed(0)
    model = _build(toy, LORA)
    names = model.lora_targets
    assert any('.query' in n for n in names) and any('q_proj' in n for n in names)
    assert all('lora_' in n for n, p in model.named_parameters() if p.requires_grad)
    data = batch_of(model, toy, 4)
    base = {k: v.clone() for k, v in model.state_dict().items() if 'lora_' not in k}
    optim = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-2)
    for _ in range(3):
        loss = model(**copy.deepcopy(data), mode='loss')['loss_vqa']
        optim.zero_grad()
        loss.backward()
        optim.step()
    model.eval()
    with torch.no_grad():
        adapted = model(**copy.deepcopy(data), mode='tensor')
    now = model.state_dict()
    assert all(torch.equal(base[k], now[k]) for k in base)
    merge_lora(model)
    plain = _build(toy).eval()
    plain.load_state_dict(model.state_dict(), strict=True)
    with torch.no_grad():
        assert torch.allclose(plain(**copy.deepcopy(data), mode='tensor'), adapted, atol=1e-5)
