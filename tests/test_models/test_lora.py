"""LoRA through peft: base weights untouched, merge = same outputs, resume."""

import copy
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from tests.mcn_helpers import tiny_mcn_cfg
from vltoolkit.models.adapters import lora_parameters, merge_lora
from vltoolkit.registry import MODELS

from .conftest import tiny_model_cfg
from .test_mcn import _inputs
from .test_vision_seq2seq import _batch

LORA = dict(r=4, alpha=8, dropout=0.0, target_modules=['q_proj', 'v_proj'])


def _train(model, data, loss_fn, steps=5, lr=1e-2):
    params = [p for p in model.parameters() if p.requires_grad]
    optim = torch.optim.AdamW(params, lr=lr, weight_decay=0.1)
    for _ in range(steps):
        loss = loss_fn(model, data)
        optim.zero_grad()
        loss.backward()
        optim.step()


def _base_state(model):
    return {k: v.detach().clone() for k, v in model.state_dict().items() if 'lora_' not in k}


def test_seq2seq_lora_trains_only_adapters_and_merges_to_the_same_outputs(tiny_tokenizer_cfg):
    torch.manual_seed(0)
    model = MODELS.build(tiny_model_cfg(tiny_tokenizer_cfg, lora=LORA))
    assert model.lora_targets and all('q_proj' in t or 'v_proj' in t for t in model.lora_targets)
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    assert trainable and all('lora_' in n for n in trainable)
    data = model.data_preprocessor(_batch(tiny_tokenizer_cfg), training=True)
    base = _base_state(model)
    before = model(**data, mode='tensor').detach()
    _train(model, data, lambda m, d: m(**d, mode='loss')['loss_token'])
    after = model(**data, mode='tensor').detach()
    assert not torch.allclose(before, after)  # adapters learnt
    now = _base_state(model)
    assert all(torch.equal(base[k], now[k]) for k in base)  # base untouched

    # checkpoint -> a fresh LoRA model resumes with the same outputs
    resumed = MODELS.build(tiny_model_cfg(tiny_tokenizer_cfg, lora=LORA))
    resumed.load_state_dict(model.state_dict())
    assert torch.allclose(resumed(**data, mode='tensor'), after, atol=1e-6)

    # merge: W + alpha/r BA, then the plain model loads the weights strictly
    merged_modules = merge_lora(model)
    assert sorted(merged_modules) == sorted(model.lora_targets)
    assert torch.allclose(model(**data, mode='tensor'), after, atol=1e-5)
    plain = MODELS.build(tiny_model_cfg(tiny_tokenizer_cfg))
    plain.load_state_dict(model.state_dict(), strict=True)
    assert torch.allclose(plain(**data, mode='tensor'), after, atol=1e-5)


def test_target_patterns_matching_nothing_list_candidates(tiny_tokenizer_cfg):
    with pytest.raises(ValueError, match=r"'q_prj' matches no adaptable module.*q_proj"):
        MODELS.build(tiny_model_cfg(tiny_tokenizer_cfg, lora=dict(LORA, target_modules=['q_prj'])))
    with pytest.raises(ValueError, match=r"'encoders.video.nothing' matches no.*encoders\."):
        MODELS.build(tiny_mcn_cfg(lora=dict(r=2, target_modules=['encoders.video.nothing'])))


def _mcn_loss(model, data):
    return sum(model(data, mode='loss').values())


def test_mcn_has_one_adapter_set_per_pair_switchable_per_stage():
    torch.manual_seed(0)
    model = MODELS.build(tiny_mcn_cfg(lora=dict(r=2, target_modules=['gu.fc', 'gu.gate'])))
    assert model.adapter_names == ['va', 'vt', 'at']
    # the 'va' adapters live in the video and audio encoders only
    assert all('.text.' not in n for n in lora_parameters(model, 'va'))
    model.set_stage(['audio', 'video'])
    assert model.active_adapters == ['va']
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert trainable == set(lora_parameters(model, 'va'))
    base = _base_state(model)
    weights = {n: p.detach().clone() for n, p in lora_parameters(model).items()}
    _train(model, _inputs(), _mcn_loss)
    changed = {n for n, p in lora_parameters(model).items() if not torch.equal(p, weights[n])}
    assert changed and changed <= set(lora_parameters(model, 'va'))
    now = _base_state(model)
    # weights and BatchNorm running statistics alike (only counters move)
    moving = {'kmeans.', 'num_batches_tracked'}
    assert all(torch.equal(base[k], now[k]) for k in base if not any(b in k for b in moving))
    # the pair's name in either order; a stage may pick adapters explicitly
    model.set_stage(['video', 'text'], adapters=['tv'])
    assert model.active_adapters == ['vt']
    with pytest.raises(ValueError, match="unknown LoRA adapter 'xy'"):
        model.set_stage(['video', 'text'], adapters=['xy'])


def test_merge_lora_tool_on_an_mcn_checkpoint(tmp_path):
    from tools.model_converters.merge_lora import main

    torch.manual_seed(0)
    lora = dict(r=2, target_modules=['gu.fc'])
    cfg = Config(
        dict(model=tiny_mcn_cfg(lora=lora, eval_adapters=['vt', 'at']), default_scope='vltoolkit')
    )
    cfg_file = str(tmp_path / 'cfg.py')
    cfg.dump(cfg_file)
    model = MODELS.build(copy.deepcopy(cfg.model))
    _train(model, _inputs(), _mcn_loss)  # trains 'va', 'vt', 'at'
    model.eval()
    torch.save(dict(state_dict=model.state_dict()), tmp_path / 'ckpt.pth')
    with torch.no_grad():
        with model._eval_adapter_scope():
            expected = model(_inputs(), mode='tensor')
    out = main(
        [
            cfg_file,
            str(tmp_path / 'ckpt.pth'),
            str(tmp_path / 'merged.pth'),
            '--out-config',
            str(tmp_path / 'merged_cfg.py'),
        ]
    )
    merged_cfg = Config.fromfile(str(tmp_path / 'merged_cfg.py'))
    assert 'lora' not in merged_cfg.model
    plain = MODELS.build(merged_cfg.model).eval()
    plain.load_state_dict(torch.load(out, weights_only=True)['state_dict'], strict=True)
    with torch.no_grad():
        got = plain(_inputs(), mode='tensor')
    for m in ('video', 'audio', 'text'):
        assert torch.allclose(got[m], expected[m], atol=1e-5), m
    assert osp.isfile(out)
