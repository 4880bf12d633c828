"""Generation uses exactly the recipe's generation_cfg, never the settings
a pretrained folder's generation_config.json carries."""

import pytest
import torch
from transformers import GenerationConfig

from vltoolkit.models.utils.generation_config import build_generation_config
from vltoolkit.registry import MODELS
from vltoolkit.tokenization import build_tokenizer

from .conftest import tiny_model_cfg
from .test_vision_seq2seq import _batch


@pytest.fixture
def bart_folder(tiny_tokenizer_cfg, tmp_path):
    """A tiny BART saved with ``save_pretrained`` carrying BART's shipped
    generation settings, and biased so that greedy decoding repeats one
    location token."""
    torch.manual_seed(0)
    model = MODELS.build(tiny_model_cfg(tiny_tokenizer_cfg))
    tok = build_tokenizer(tiny_tokenizer_cfg)
    loc = tok.tokenizer.convert_tokens_to_ids('<loc_3>')
    lm = model.language_model
    with torch.no_grad():
        lm.final_logits_bias[0, loc] = 50.0
    lm.generation_config = GenerationConfig(
        no_repeat_ngram_size=3,
        num_beams=4,
        forced_bos_token_id=tok.bos_token_id,
        decoder_start_token_id=lm.config.decoder_start_token_id,
    )
    lm.save_pretrained(tmp_path / 'bart')
    return tmp_path / 'bart', loc


def test_folder_generation_settings_do_not_leak(tiny_tokenizer_cfg, bart_folder):
    folder, loc = bart_folder
    saved = GenerationConfig.from_pretrained(folder)
    assert saved.no_repeat_ngram_size == 3 and saved.num_beams == 4
    cfg = tiny_model_cfg(tiny_tokenizer_cfg, generation_cfg=dict(max_new_tokens=6))
    cfg['language_model'] = dict(pretrained_path=str(folder))
    model = MODELS.build(cfg).eval()
    gen = model.language_model.generation_config
    assert gen.no_repeat_ngram_size is None and gen.forced_bos_token_id is None
    assert gen.num_beams in (None, 1) and gen.max_new_tokens == 6
    out = model(**model.data_preprocessor(_batch(tiny_tokenizer_cfg)), mode='predict')
    tok = build_tokenizer(tiny_tokenizer_cfg)
    # greedy with the bias: six times the same location token (no n-gram ban,
    # no forced BOS)
    expected = tok.batch_decode([[loc] * 6])[0]
    assert [s.pred_text for s in out] == [expected] * len(out)


def test_unknown_or_inconsistent_generation_settings_are_refused():
    with pytest.raises(ValueError, match=r"'num_beam' is not a generate\(\) setting.*num_beams"):
        build_generation_config(dict(num_beam=4))
    with pytest.raises(ValueError, match='early_stopping'):
        build_generation_config(dict(num_beams=1, early_stopping=True))
    with pytest.raises(ValueError, match='pad_token_id is set from the tokenizer'):
        build_generation_config(dict(pad_token_id=3))
    config = build_generation_config(dict(max_new_tokens=4), pad_token_id=1, eos_token_id=2)
    assert {k: v for k, v in config.to_diff_dict().items() if k != 'transformers_version'} == dict(
        max_new_tokens=4, pad_token_id=1, eos_token_id=2
    )
