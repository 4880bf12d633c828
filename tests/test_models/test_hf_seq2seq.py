"""build_hf_seq2seq: weights from a folder checked against the config's architecture."""

import pytest

from vltoolkit.models.language_models.hf_seq2seq import build_hf_seq2seq

ARCH = dict(
    model_type='bart',
    d_model=32,
    encoder_layers=1,
    decoder_layers=1,
    encoder_attention_heads=2,
    decoder_attention_heads=2,
    encoder_ffn_dim=64,
    decoder_ffn_dim=64,
    max_position_embeddings=64,
)
IDS = dict(vocab_size=40, pad_token_id=1, bos_token_id=0, eos_token_id=2)


def test_pretrained_folder_with_its_architecture_loads_and_a_wrong_one_is_named(tmp_path):
    build_hf_seq2seq(config=ARCH, **IDS).save_pretrained(tmp_path / 'lm')
    model = build_hf_seq2seq(
        config=dict(ARCH, dropout=0.3),  # dropouts not compared
        pretrained_path=str(tmp_path / 'lm'),
        **IDS,
    )
    assert model.config.d_model == 32 and model.config._attn_implementation == 'sdpa'
    with pytest.warns(UserWarning, match=r'encoder_layers: 1 != 12'):
        model = build_hf_seq2seq(
            config=dict(ARCH, encoder_layers=12), pretrained_path=str(tmp_path / 'lm'), **IDS
        )
    assert model.config.encoder_layers == 1  # the folder's architecture is used
    with pytest.raises(ValueError, match='give `config`'):
        build_hf_seq2seq(**IDS)
