"""The toy VQA generator: official layout, determinism, answers, CLI."""

import hashlib
import json
from collections import Counter

import numpy as np
import pytest
from PIL import Image

from vltoolkit.datasets import build_answer_vocab, load_answer_list
from vltoolkit.datasets.toy import TOY_VQA_ANSWERS, make_toy_vqa, make_toy_vqa_scene
from vltoolkit.evaluation import normalize_answer
from vltoolkit.registry import DATASETS


def _digest(root):
    h = hashlib.sha256()
    for path in sorted(root.rglob('*')):
        if path.is_file():
            h.update(path.name.encode() + path.read_bytes())
    return h.hexdigest()


def test_layout_and_official_fields(tmp_path):
    out = make_toy_vqa(str(tmp_path), num_train=12, num_val=4, img_size=48, seed=1)
    qs = json.loads((tmp_path / 'annotations' / 'questions_train.json').read_text())
    anns = json.loads((tmp_path / 'annotations' / 'annotations_train.json').read_text())
    assert qs['task_type'] == 'Open-Ended' and len(qs['questions']) == len(anns['annotations'])
    for q, a in zip(qs['questions'], anns['annotations']):
        assert q['question_id'] == a['question_id'] and q['question_id'] // 1000 == q['image_id']
        assert len(a['answers']) == 10 and [x['answer_id'] for x in a['answers']] == list(
            range(1, 11)
        )
        assert a['answer_type'] in ('yes/no', 'number', 'other')
        assert a['multiple_choice_answer'] in TOY_VQA_ANSWERS
        assert {normalize_answer(x['answer']) for x in a['answers']} <= set(TOY_VQA_ANSWERS)
    img = Image.open(tmp_path / 'images' / 'train' / '000000000001.png')
    assert img.size == (48, 48) and img.mode == 'RGB'
    assert load_answer_list(str(tmp_path / 'answers.json')) == list(TOY_VQA_ANSWERS)
    assert len(out['val']['questions']) >= 4 * 2


def test_deterministic_and_split_streams_independent(tmp_path):
    make_toy_vqa(str(tmp_path / 'a'), num_train=5, num_val=2, seed=0)
    make_toy_vqa(str(tmp_path / 'b'), num_train=5, num_val=2, seed=0)
    make_toy_vqa(str(tmp_path / 'c'), num_train=5, num_val=7, seed=0)
    assert _digest(tmp_path / 'a') == _digest(tmp_path / 'b')
    assert (tmp_path / 'a/annotations/annotations_train.json').read_bytes() == (
        tmp_path / 'c/annotations/annotations_train.json'
    ).read_bytes()


def test_answers_follow_the_drawing():
    rng = np.random.default_rng(0)
    kinds = Counter()
    for _ in range(200):
        img, qas = make_toy_vqa_scene(rng, 64)
        arr = np.asarray(img)
        for qa in qas:
            kinds[qa['question_type']] += 1
            if qa['question_type'] == 'what color is the':
                assert qa['answer'] in ('red', 'green', 'blue', 'yellow')
            if qa['question_type'] == 'how many':
                assert qa['answer'] in ('0', '1', '2', '3')
        assert arr.shape == (64, 64, 3)
    assert set(kinds) == {'what color is the', 'how many', 'is there a', 'is the'}
    with pytest.raises(ValueError, match='img_size'):
        make_toy_vqa_scene(rng, 16)
    with pytest.raises(ValueError, match='num_val'):
        make_toy_vqa('/nonexistent', num_val=-1)


def test_annotator_noise_exercises_normalisation_and_soft_scores(tmp_path):
    out = make_toy_vqa(str(tmp_path), num_train=40, num_val=0, seed=2)
    raw = [x['answer'] for a in out['train']['annotations'] for x in a['answers']]
    assert any(r not in TOY_VQA_ANSWERS for r in raw)  # 'Two', 'the left', 'yes!'
    assert set(build_answer_vocab(out['train']['annotations'])) <= set(TOY_VQA_ANSWERS)
    ds = DATASETS.build(
        dict(
            type='VQAv2Dataset',
            data_root=str(tmp_path),
            question_file='annotations/questions_train.json',
            ann_file='annotations/annotations_train.json',
            answer_file='answers.json',
            img_name_fmt='{image_id:012d}.png',
            data_prefix=dict(img_path='images/train'),
        )
    )
    scores = [s for i in range(len(ds)) for s in ds.get_data_info(i)['answer_scores']]
    assert 1.0 in scores and (0.3 in scores or 0.6 in scores)
    assert ds.vocab_stats['answers_not_in_vocab'] == 0


def test_cli(tmp_path, capsys):
    from tests.conftest import load_tool

    cli = load_tool('data/make_toy.py')
    assert cli.main(['vqa', '--out', str(tmp_path), '--num-train', '3', '--num-val', '1']) == 0
    assert 'questions' in capsys.readouterr().err
    assert cli.main(['vqa', '--out', str(tmp_path), '--img-size', '8']) == 1
