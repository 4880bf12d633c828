"""HFTokenizer: a local transformers tokenizer without location tokens."""

import pytest
import torch

from vltoolkit.tokenization import HFTokenizer, build_tokenizer, train_word_level_tokenizer


@pytest.fixture(scope='module')
def tok_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp('hf_tok')
    train_word_level_tokenizer(['what color is the circle ?', 'how many shapes'], str(out))
    return str(out)


def test_no_location_tokens_and_truncation(tok_dir):
    tok = build_tokenizer(dict(type='HFTokenizer', path=tok_dir, max_length=4))
    assert isinstance(tok, HFTokenizer)
    assert len(tok) == 4 + 9  # BART specials + the words, nothing added
    assert len(tok.encode('what color is the circle ?')) == 4
    full = HFTokenizer(tok_dir)
    ids = full.encode('What color is the circle?')
    assert ids[0] == full.bos_token_id and ids[-1] == full.eos_token_id
    assert full.decode(ids) == 'what color is the circle ?'
    assert full.batch_decode(torch.tensor([ids[:3] + [-100]])) == ['what color']


def test_batch_call_pads_right(tok_dir):
    enc = HFTokenizer(tok_dir)(['how many shapes', 'circle'])
    assert enc['input_ids'].shape == enc['attention_mask'].shape == (2, 5)
    assert enc['attention_mask'].tolist() == [[1] * 5, [1, 1, 1, 0, 0]]
    assert enc['input_ids'][1, 3:].tolist() == [1, 1]  # <pad>


def test_errors(tmp_path, tok_dir):
    with pytest.raises(FileNotFoundError, match='build_tokenizer.py'):
        HFTokenizer(str(tmp_path / 'missing'))
    with pytest.raises(ValueError, match='max_length'):
        HFTokenizer(tok_dir, max_length=0)
    with pytest.raises(TypeError):
        HFTokenizer(tok_dir).encode(['a'])
