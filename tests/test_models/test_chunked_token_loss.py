"""``loss_chunk_size``: the model families' training loss from the LM head's
input and the head, a chunk of target positions at a time. The loss and
every parameter's gradient equal the full-logits path; ``mode='tensor'``
and generation are untouched; the head read from a transformers model
reproduces its logits (bias, BART's ``final_logits_bias``, Gemma 2's soft
cap)."""

import pytest
import torch

from vltoolkit.models.pretrained_vlms.toy import save_toy_vlm
from vltoolkit.models.utils.lm_head import HeadInput
from vltoolkit.registry import MODELS

from .conftest import tiny_model_cfg
from .pretrained_vlm_helpers import FAMILIES, IMG, build_vlm, make_batch, toy_hoi_texts_and_samples
from .test_vision_seq2seq import _batch

RECIPES = {
    'ce': dict(loss=dict(type='TokenCrossEntropyLoss')),
    'gem_distance_sample': dict(
        loss=dict(type='GEMLoss', beta=0.7, h='logsigmoid'),
        label_encoder='distance',
        loss_normalization='sample',
    ),
    'ce_distance': dict(loss=dict(type='TokenCrossEntropyLoss'), label_encoder='distance'),
}


def _recipe(name, tokenizer_cfg):
    kw = dict(RECIPES[name])
    if kw.get('label_encoder') == 'distance':
        kw['label_encoder'] = dict(
            type='DistanceLabelEncoder', tokenizer=tokenizer_cfg, power=1.0, window=1.5
        )
    return kw


def _loss_and_grads(model, data):
    model.zero_grad()
    loss = model(**data, mode='loss')['loss_token']
    loss.backward()
    grads = {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}
    return loss.detach(), grads


def _assert_same(a, b):
    # atol: GEM's value is a difference of O(1) terms and can sit near 0
    torch.testing.assert_close(a[0], b[0], rtol=1e-5, atol=1e-6)
    assert a[1].keys() == b[1].keys() and len(a[1]) > 0
    for name in a[1]:
        scale = float(b[1][name].abs().max())
        # atol: a few gradients are rounding noise (~1e-15) around 0
        torch.testing.assert_close(a[1][name], b[1][name], rtol=1e-5, atol=1e-5 * scale + 1e-9)


@pytest.mark.parametrize('recipe', sorted(RECIPES))
def test_vision_seq2seq_loss_and_grads_equal_with_chunking_on_and_off(recipe, tiny_tokenizer_cfg):
    results, logits = [], []
    for chunk in (None, 3):
        torch.manual_seed(0)
        cfg = tiny_model_cfg(
            tiny_tokenizer_cfg, loss_chunk_size=chunk, **_recipe(recipe, tiny_tokenizer_cfg)
        )
        model = MODELS.build(cfg)
        data = model.data_preprocessor(_batch(tiny_tokenizer_cfg))
        results.append(_loss_and_grads(model, data))
        logits.append(model(**data, mode='tensor'))
    _assert_same(results[1], results[0])
    # mode='tensor' still gives the logits, chunking or not
    torch.testing.assert_close(logits[1], logits[0], rtol=0, atol=0)
    # BART's final_logits_bias is part of the head
    assert 'language_model.final_logits_bias' not in results[0][1]


def test_bad_chunk_size_is_refused(tiny_tokenizer_cfg):
    with pytest.raises(ValueError, match='loss_chunk_size=0'):
        MODELS.build(tiny_model_cfg(tiny_tokenizer_cfg, loss_chunk_size=0))


@pytest.fixture(scope='module')
def toy(tmp_path_factory):
    """family -> (folder, 4 toy HOI samples in its location tokens)."""
    from mmengine.registry import init_default_scope

    init_default_scope('vltoolkit')
    root = tmp_path_factory.mktemp('chunked_vlms')
    out = {}
    for family in FAMILIES:
        texts, samples = toy_hoi_texts_and_samples(root, family, num=4)
        folder = root / family
        save_toy_vlm(family, str(folder), texts, image_size=IMG, width=32)
        out[family] = (folder, samples)
    return out


def _tokenizer_cfg(folder, family):
    from .pretrained_vlm_helpers import tokenizer_cfg

    return tokenizer_cfg(folder, family)


@pytest.mark.parametrize('family', list(FAMILIES))
def test_head_input_reproduces_the_models_logits(toy, family):
    folder, samples = toy[family]
    model = build_vlm(folder, family, loss_chunk_size=4)
    if family == 'paligemma':  # Gemma 2's final_logit_softcapping (PaliGemma 2)
        model.hf_model.config.text_config.final_logit_softcapping = 0.5
    data = make_batch(model, samples[:3])
    logits, labels = model._logits_and_labels(data['inputs'])
    with model.loss_from_hidden_states():
        head_input, labels2 = model._logits_and_labels(data['inputs'])
    assert isinstance(head_input, HeadInput) and torch.equal(labels, labels2)
    if family == 'paligemma':
        assert head_input.head.softcap == 0.5 and float(logits.detach().abs().max()) <= 0.5
    torch.testing.assert_close(head_input.head.logits(head_input.hidden), logits)


SLOW_FLORENCE2 = [
    pytest.param(f, marks=pytest.mark.slow) if f == 'florence2' else f for f in FAMILIES
]


@pytest.mark.parametrize('family', SLOW_FLORENCE2)
def test_vlm_loss_and_grads_equal_with_chunking_on_and_off(toy, family):
    folder, samples = toy[family]
    kw = _recipe('gem_distance_sample', _tokenizer_cfg(folder, family))
    model = build_vlm(folder, family, loss_chunk_size=5, **kw)
    model.train()
    data = make_batch(model, samples)
    chunked = _loss_and_grads(model, data)
    model.loss_chunk_size = None  # what the config key sets
    _assert_same(chunked, _loss_and_grads(model, data))


def test_chunking_under_grad_checkpointing_and_lora(toy):
    """The LM head's input is captured from checkpointed decoder blocks; a
    frozen (LoRA) head gets no gradient and the adapters get the same."""
    folder, samples = toy['paligemma']
    lora = dict(r=4, alpha=8, target_modules=['hf_model.model.language_model.*_proj'])
    kw = _recipe('ce_distance', _tokenizer_cfg(folder, 'paligemma'))
    model = build_vlm(
        folder, 'paligemma', loss_chunk_size=3, grad_checkpointing=True, lora=lora, **kw
    )
    model.train()
    data = make_batch(model, samples[:2])
    chunked = _loss_and_grads(model, data)
    assert not any('lm_head' in n or 'embed_tokens' in n for n in chunked[1])
    model.loss_chunk_size = None
    _assert_same(chunked, _loss_and_grads(model, data))
