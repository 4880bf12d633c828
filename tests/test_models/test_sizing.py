"""Sizing a model config with no files (vltoolkit.models.utils.sizing)."""

import pytest
import torch

from vltoolkit.models.utils.sizing import build_on_meta, config_without_files
from vltoolkit.tokenization import build_tokenizer

from .conftest import tiny_model_cfg


def test_missing_files_become_placeholders_and_build_on_meta(tiny_tokenizer_cfg):
    cfg = tiny_model_cfg(dict(tiny_tokenizer_cfg, path='nowhere/bart-base'))
    cfg['vision_encoder']['pretrained_path'] = 'nowhere/vit.safetensors'
    cfg['language_model']['pretrained_path'] = 'nowhere/bart-base'
    cfg['frozen_modules'] = ['vision_encoder']
    sized = config_without_files(cfg)
    assert 'pretrained_path' not in sized['vision_encoder']
    assert 'pretrained_path' not in sized['language_model']
    tok = sized['tokenizer']
    assert tok['type'] == 'SizedPlaceholderTokenizer' and tok['vocab_size'] == 50265
    model = build_on_meta(sized)
    assert all(p.is_meta for p in model.parameters())
    # BART vocabulary + the 16 location tokens of the 4x4 patch coder
    assert model.language_model.get_input_embeddings().num_embeddings == 50265 + 16
    assert not any(p.requires_grad for p in model.vision_encoder.parameters())
    with pytest.raises(RuntimeError, match='only sizes models'):
        build_tokenizer(tok).encode('a')
    # the same model built for real has the same parameter shapes
    real = build_on_meta(config_without_files(tiny_model_cfg(tiny_tokenizer_cfg)))
    assert real.vision_encoder.model.pos_embed.shape == model.vision_encoder.model.pos_embed.shape


def test_undescribed_weights_and_unknown_tokenizers_are_named(tiny_tokenizer_cfg):
    cfg = tiny_model_cfg(tiny_tokenizer_cfg)
    cfg['language_model'] = dict(pretrained_path='nowhere/my-lm')
    with pytest.raises(
        ValueError,
        match=r'model.language_model.pretrained_path .* add '
        r'model.language_model.config',
    ):
        config_without_files(cfg)
    cfg = tiny_model_cfg(dict(tiny_tokenizer_cfg, path='nowhere/my-tok'))
    with pytest.raises(ValueError, match='--vocab-size my-tok=N'):
        config_without_files(cfg)
    sized = config_without_files(cfg, {'my-tok': 100})
    assert sized['tokenizer']['vocab_size'] == 100
    assert torch.equal(
        build_tokenizer(sized['tokenizer']).location_token_ids, torch.arange(100, 116)
    )
