import pickle

import numpy as np
import pytest
import torch
from transformers import AutoTokenizer

from tests.conftest import load_tool
from vltoolkit.registry import TOKENIZERS
from vltoolkit.tokenization import (
    BinBoxCoder,
    PatchIndexBoxCoder,
    VLTokenizer,
    build_tokenizer,
    clear_tokenizer_cache,
    train_word_level_tokenizer,
)

TEXTS = [
    'A man riding a horse.',
    'Two dogs, playing in the snow!',
    'person<loc_40><loc_1558> holds a cup',
    'a dog and a cat',
]
CODER_CFG = dict(type='BinBoxCoder', num_bins=2000, token_fmt='<loc_{}>')


@pytest.fixture(scope='module')
def tok_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp('word_level')
    coder = BinBoxCoder(2000, '<loc_{}>')
    train_word_level_tokenizer(TEXTS, str(out), special_tokens=coder.location_tokens)
    return str(out)


@pytest.fixture(scope='module')
def plain_dir(tmp_path_factory):
    """A word-level tokenizer without location tokens."""
    out = tmp_path_factory.mktemp('plain')
    train_word_level_tokenizer(TEXTS, str(out))
    return str(out)


@pytest.fixture(scope='module')
def vl_tok(tok_dir):
    return VLTokenizer(tok_dir, box_coder=CODER_CFG)


def test_word_level_reloads_through_auto_tokenizer(tok_dir):
    tok = AutoTokenizer.from_pretrained(tok_dir, local_files_only=True)
    assert [tok.bos_token_id, tok.pad_token_id, tok.eos_token_id, tok.unk_token_id] == [0, 1, 2, 3]
    assert tok.convert_ids_to_tokens([0, 1, 2, 3]) == ['<s>', '<pad>', '</s>', '<unk>']
    assert tok.tokenize('Person<loc_40><loc_1558> HOLDS a zebra.') == [
        'person',
        '<loc_40>',
        '<loc_1558>',
        'holds',
        'a',
        '<unk>',
        '.',
    ]
    ids = tok('a dog')['input_ids']
    assert ids[0] == 0 and ids[-1] == 2 and len(ids) == 4
    # words first (by frequency), then the 2000 location tokens in order
    vocab = tok.get_vocab()
    assert vocab['a'] == 4
    assert vocab['<loc_1>'] == vocab['<loc_0>'] + 1
    assert vocab['<loc_1999>'] == len(tok) - 1
    # location tokens in the texts were not counted as words
    assert 'loc_40' not in vocab and '<' not in vocab
    assert tok.decode(ids, skip_special_tokens=True) == 'a dog'


def test_word_level_is_deterministic(tmp_path, tok_dir):
    train_word_level_tokenizer(
        TEXTS, str(tmp_path), special_tokens=BinBoxCoder(2000, '<loc_{}>').location_tokens
    )
    assert (tmp_path / 'tokenizer.json').read_text() == open(f'{tok_dir}/tokenizer.json').read()


def test_word_level_rejects_bad_special_tokens(tmp_path):
    with pytest.raises(ValueError, match='BART'):
        train_word_level_tokenizer(TEXTS, str(tmp_path), special_tokens=['<s>'])
    with pytest.raises(TypeError):
        train_word_level_tokenizer('a single string', str(tmp_path))


def test_word_level_command_line(tmp_path):
    texts = tmp_path / 'texts.txt'
    texts.write_text('\n'.join(TEXTS) + '\n')
    out = tmp_path / 'tok'
    load_tool('data/build_tokenizer.py').main(
        [
            '--texts',
            str(texts),
            '--out-dir',
            str(out),
            '--box-coder',
            '{"type": "PatchIndexBoxCoder", "num_patches_per_side": 4}',
            '--special-tokens',
            '<image>',
        ]
    )
    tok = AutoTokenizer.from_pretrained(str(out), local_files_only=True)
    assert tok.tokenize('<image>a dog<patch_index_0003>') == [
        '<image>',
        'a',
        'dog',
        '<patch_index_0003>',
    ]
    vl = VLTokenizer(str(out), box_coder=dict(type='PatchIndexBoxCoder', num_patches_per_side=4))
    assert len(vl) == len(tok)  # nothing to add


def test_vl_tokenizer_attributes(vl_tok, tok_dir):
    tok = AutoTokenizer.from_pretrained(tok_dir, local_files_only=True)
    assert len(vl_tok) == len(tok) == vl_tok.vocab_size
    assert (vl_tok.bos_token_id, vl_tok.pad_token_id, vl_tok.eos_token_id) == (0, 1, 2)
    assert isinstance(vl_tok.box_coder, BinBoxCoder)
    ids = vl_tok.location_token_ids
    assert ids.dtype == torch.long and ids.shape == (2000,)
    assert ids.tolist() == tok.convert_tokens_to_ids([f'<loc_{k}>' for k in range(2000)])
    inv = vl_tok.location_index_of_id
    assert inv.dtype == torch.long and inv.shape == (len(vl_tok),)
    assert torch.equal(inv[ids], torch.arange(2000))
    assert (inv >= 0).sum() == 2000
    assert inv[tok.convert_tokens_to_ids(['a', '<s>', '</s>'])].tolist() == [-1] * 3


def test_encode_and_batch_decode_keep_location_tokens(vl_tok):
    ids = vl_tok.encode('Person<loc_40><loc_1558> HOLDS a zebra.')
    assert ids[0] == vl_tok.bos_token_id and ids[-1] == vl_tok.eos_token_id
    assert vl_tok.location_index_of_id[ids].tolist() == [-1, -1, 40, 1558, -1, -1, -1, -1, -1]
    pad = vl_tok.pad_token_id
    batch = torch.tensor([ids + [pad, pad], [0, 4, 2, pad, pad, pad, pad, pad, pad, -100, -100]])
    texts = vl_tok.batch_decode(batch)
    assert texts == ['person <loc_40> <loc_1558> holds a .', 'a']
    assert vl_tok.batch_decode(batch, skip_special_tokens=False)[0] == (
        '<s> person <loc_40> <loc_1558> holds a <unk> . </s> <pad> <pad>'
    )
    assert vl_tok.decode(np.array(ids)) == texts[0]
    with pytest.raises(TypeError, match='batch'):
        vl_tok.batch_decode(ids)


def test_box_round_trip_through_the_tokenizer(vl_tok):
    coder = vl_tok.box_coder
    img = (640, 480)
    box = [100.5, 50.25, 300.75, 400]
    text = 'a man ' + ''.join(coder.encode(box, img))
    ids = vl_tok.encode(text)
    assert vl_tok.encode_box(box, img) == ids[3:7]
    found = coder.find_boxes(vl_tok.batch_decode([ids])[0], img)
    assert len(found) == 1
    np.testing.assert_array_equal(found[0], coder.decode(coder.encode(box, img), img))


def test_max_length_truncates_keeping_eos(tok_dir):
    vl = VLTokenizer(tok_dir, box_coder=CODER_CFG, max_length=4)
    ids = vl.encode('a man riding a horse')
    assert len(ids) == 4 and ids[0] == 0 and ids[-1] == 2


def test_location_tokens_are_added_when_missing(plain_dir):
    plain = AutoTokenizer.from_pretrained(plain_dir, local_files_only=True)
    assert plain.tokenize('person<patch_index_0001>') != ['person', '<patch_index_0001>']
    vl = VLTokenizer(plain_dir, box_coder=PatchIndexBoxCoder())
    assert len(vl) == len(plain) + 1024
    assert vl.location_token_ids.tolist() == list(range(len(plain), len(plain) + 1024))
    ids = vl.encode('person<patch_index_0001> <patch_index_1023>')
    assert vl.tokenizer.convert_ids_to_tokens(ids) == [
        '<s>',
        'person',
        '<patch_index_0001>',
        '<patch_index_1023>',
        '</s>',
    ]
    text = vl.batch_decode([ids])[0]
    assert text == 'person <patch_index_0001> <patch_index_1023>'
    assert len(vl.box_coder.find_boxes(text, (32, 32))) == 1


def test_missing_folder_names_path_and_command(tmp_path):
    missing = str(tmp_path / 'no_tokenizer_here')
    with pytest.raises(FileNotFoundError) as err:
        VLTokenizer(missing, box_coder=CODER_CFG)
    msg = str(err.value)
    assert missing in msg
    assert 'tools/data/build_tokenizer.py --texts' in msg  # the one tokenizer tool
    assert '"token_fmt": "<loc_{}>"' in msg


def test_build_tokenizer_caches_equal_configs(tok_dir):
    clear_tokenizer_cache()
    cfg = dict(type='VLTokenizer', path=tok_dir, box_coder=CODER_CFG)
    a = build_tokenizer(cfg)
    b = build_tokenizer(dict(box_coder=BinBoxCoder(2000, '<loc_{}>'), path=tok_dir))
    assert a is b and isinstance(a, VLTokenizer)
    assert build_tokenizer(a) is a
    c = build_tokenizer(dict(cfg, max_length=8))
    assert c is not a and c.max_length == 8
    clear_tokenizer_cache()
    assert build_tokenizer(cfg) is not a
    with pytest.raises(TypeError):
        build_tokenizer('not a config')


def test_registry_build_and_pickle(tok_dir):
    vl = TOKENIZERS.build(dict(type='VLTokenizer', path=tok_dir, box_coder=CODER_CFG))
    clone = pickle.loads(pickle.dumps(vl))
    text = 'a dog <loc_3> <loc_4> <loc_5> <loc_6>'
    assert clone.encode(text) == vl.encode(text)
    assert torch.equal(clone.location_token_ids, vl.location_token_ids)
