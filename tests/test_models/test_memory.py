"""Gradient checkpointing and the attention kernel choice, on the CPU."""

import pytest
import torch
import torch.nn as nn

from vltoolkit.models.utils.attention import choose_attn_implementation
from vltoolkit.models.utils.memory import enable_grad_checkpointing
from vltoolkit.registry import MODELS
from vltoolkit.utils.tensor_memory import peak_tensor_memory

from .conftest import tiny_model_cfg
from .test_vision_seq2seq import _batch


def _mid_size_cfg(tokenizer_cfg, **kw):
    """A model whose activations, not its weights, dominate a step: 4 ViT
    blocks over 64 patches and 4+4 BART layers."""
    return tiny_model_cfg(
        tokenizer_cfg,
        vision_encoder=dict(
            type='TimmVisionEncoder',
            model_name='vit_tiny_patch16_224',
            img_size=32,
            patch_size=4,
            depth=4,
            embed_dim=64,
            num_heads=2,
        ),
        language_model=dict(
            config=dict(
                d_model=64,
                encoder_layers=4,
                decoder_layers=4,
                encoder_attention_heads=2,
                decoder_attention_heads=2,
                encoder_ffn_dim=256,
                decoder_ffn_dim=256,
                max_position_embeddings=128,
                dropout=0.0,
                attention_dropout=0.0,
            )
        ),
        **kw,
    )


def _loss_grads_peak(model, data):
    model.train()
    out = {}

    def step():
        model.zero_grad(set_to_none=True)
        loss = model(**data, mode='loss')['loss_token']
        loss.backward()
        out['loss'] = loss.detach()

    peak = peak_tensor_memory(step, model)['cpu']
    grads = {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}
    return out['loss'], grads, peak


def test_grad_checkpointing_same_loss_and_grads_lower_peak_memory(tiny_tokenizer_cfg):
    data = None
    results = {}
    for ckpt in (False, True):
        torch.manual_seed(0)
        model = MODELS.build(_mid_size_cfg(tiny_tokenizer_cfg, grad_checkpointing=ckpt))
        if ckpt:
            assert model.checkpointed == ['vision_encoder.model', 'language_model']
            assert model.language_model.is_gradient_checkpointing
            assert model.vision_encoder.model.grad_checkpointing
        data = data or model.data_preprocessor(_batch(tiny_tokenizer_cfg), True)
        # 4 copies of the batch: activations grow with it, weights do not
        big = dict(
            inputs={k: torch.cat([v] * 4) for k, v in data['inputs'].items()},
            data_samples=data['data_samples'] * 4,
        )
        results[ckpt] = _loss_grads_peak(model, big)
    (loss0, grads0, peak0), (loss1, grads1, peak1) = results[False], results[True]
    torch.testing.assert_close(loss1, loss0, rtol=1e-5, atol=1e-6)
    assert grads0.keys() == grads1.keys() and len(grads0) > 50
    for name in grads0:
        torch.testing.assert_close(grads1[name], grads0[name], rtol=1e-4, atol=1e-6, msg=name)
    # measured ~0.5x on this model; the weights + grads floor keeps it above 0.3
    assert peak1 < 0.8 * peak0, (peak0, peak1)


def test_grad_checkpointing_trains_frozen_first_layers(tiny_tokenizer_cfg):
    """Non-reentrant checkpointing: blocks after a frozen part (inputs that
    need no grad) still get gradients (the reentrant trap)."""
    torch.manual_seed(0)
    model = MODELS.build(
        tiny_model_cfg(
            tiny_tokenizer_cfg, grad_checkpointing=True, frozen_modules=['vision_encoder']
        )
    )
    data = model.data_preprocessor(_batch(tiny_tokenizer_cfg), True)
    model.train()
    model(**data, mode='loss')['loss_token'].backward()
    enc_layer = model.language_model.model.encoder.layers[0]
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in enc_layer.parameters())
    assert all(p.grad is None for p in model.vision_encoder.parameters())


def test_grad_checkpointing_on_vilt(tiny_tokenizer_cfg):
    vilt = dict(
        config=dict(
            hidden_size=32,
            num_hidden_layers=2,
            num_attention_heads=2,
            intermediate_size=64,
            image_size=32,
            patch_size=16,
            max_position_embeddings=64,
        )
    )
    model = MODELS.build(
        dict(
            type='ViLTVQA',
            vilt=vilt,
            tokenizer=tiny_tokenizer_cfg,
            num_answers=5,
            grad_checkpointing=True,
        )
    )
    assert model.checkpointed == ['vilt']
    assert model.vilt.is_gradient_checkpointing


def test_grad_checkpointing_refuses_a_model_without_backbones():
    with pytest.raises(ValueError, match='no timm or transformers model'):
        enable_grad_checkpointing(nn.Sequential(nn.Linear(2, 2)))


def test_attention_defaults_to_sdpa_and_matches_eager(tiny_tokenizer_cfg):
    from transformers import BartForConditionalGeneration, ViltForQuestionAnswering

    assert choose_attn_implementation(BartForConditionalGeneration) == (
        'flash_attention_2'
        if torch.cuda.is_available() and __import__('importlib').util.find_spec('flash_attn')
        else 'sdpa'
    )
    # ViLT has no fused attention in transformers: leave its default
    assert choose_attn_implementation(ViltForQuestionAnswering) is None
    with pytest.raises(ValueError, match='flash-attn'):
        if not torch.cuda.is_available():
            choose_attn_implementation(BartForConditionalGeneration, 'flash_attention_2')
        else:  # pragma: no cover - GPU machines
            raise ValueError('flash-attn')
    with pytest.raises(ValueError, match='use one of'):
        choose_attn_implementation(BartForConditionalGeneration, 'fast')

    losses = {}
    for attn in ('sdpa', 'eager'):
        torch.manual_seed(0)
        cfg = tiny_model_cfg(tiny_tokenizer_cfg)
        cfg['language_model']['attn_implementation'] = attn
        model = MODELS.build(cfg)
        assert model.language_model.config._attn_implementation == attn
        data = model.data_preprocessor(_batch(tiny_tokenizer_cfg), True)
        losses[attn] = model(**data, mode='loss')['loss_token']
    torch.testing.assert_close(losses['sdpa'], losses['eager'], rtol=1e-5, atol=1e-6)
