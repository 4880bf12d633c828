"""Shared test set-up."""

from pathlib import Path

import pytest
from mmengine.registry import init_default_scope

from vltoolkit.tokenization import train_word_level_tokenizer

ROOT = Path(__file__).resolve().parents[1]
#: real annotation excerpts (tests/data/README.md says where each comes from)
FIXTURES = ROOT / 'tests' / 'data'


def load_tool(rel_path: str):
    """Import ``tools/<rel_path>`` as a module (tools are scripts, not a
    package; they import vltoolkit through the editable install)."""
    import importlib.util

    name = '_vltoolkit_tool_' + rel_path.replace('/', '_')[:-3]
    spec = importlib.util.spec_from_file_location(name, ROOT / 'tools' / rel_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def vltoolkit_scope():
    """Registry builds resolve in the vltoolkit scope, whatever scope a
    Runner built by an earlier test left as the current default."""
    init_default_scope('vltoolkit')
    yield


# a tiny tokenizer + VisionSeq2Seq config shared by model / engine tests

BOX_CODER = dict(type='PatchIndexBoxCoder', num_patches_per_side=4, token_fmt='<loc_{}>')
TEXTS = [
    'what is the interaction between person and donut ?',
    'hold , eat',
    'look',
    'kick',
    'nothing',
    'cup',
    'drink with',
]


@pytest.fixture(scope='session')
def tiny_tokenizer_cfg(tmp_path_factory):
    out = tmp_path_factory.mktemp('tok')
    train_word_level_tokenizer(TEXTS, str(out), special_tokens=[f'<loc_{i}>' for i in range(16)])
    return dict(type='VLTokenizer', path=str(out), box_coder=BOX_CODER)


def tiny_model_cfg(tokenizer_cfg, **kw):
    cfg = dict(
        type='VisionSeq2Seq',
        vision_encoder=dict(
            type='TimmVisionEncoder',
            model_name='vit_tiny_patch16_224',
            img_size=32,
            patch_size=16,
            depth=1,
            embed_dim=32,
            num_heads=2,
        ),
        language_model=dict(
            config=dict(
                d_model=32,
                encoder_layers=1,
                decoder_layers=1,
                encoder_attention_heads=2,
                decoder_attention_heads=2,
                encoder_ffn_dim=64,
                decoder_ffn_dim=64,
                max_position_embeddings=64,
                dropout=0.0,
                attention_dropout=0.0,
            )
        ),
        tokenizer=tokenizer_cfg,
        generation_cfg=dict(max_new_tokens=8, num_beams=1),
    )
    cfg.update(kw)
    return cfg
