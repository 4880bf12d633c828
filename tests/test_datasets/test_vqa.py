"""VQAv2Dataset and the answer vocabulary, on the real VQA v2 fixtures."""

import json
import logging

import pytest
import torch
from mmengine.logging import MMLogger

from tests.conftest import FIXTURES
from vltoolkit.datasets import (
    VQAv2Dataset,
    build_answer_vocab,
    load_answer_list,
    save_answer_list,
    soft_targets,
    vl_collate,
    vqa_score,
)
from vltoolkit.datasets.vqa_answers import read_annotations
from vltoolkit.registry import DATASETS

VQA = FIXTURES / 'vqa_v2'
QUESTIONS = 'v2_OpenEnded_mscoco_train2014_questions_subset7.json'
ANNOTATIONS = 'v2_mscoco_train2014_annotations_subset7.json'
MCAN = 'mcan_answer_dict_3129.json'


def build(**kw):
    cfg = dict(
        type='VQAv2Dataset',
        data_root=str(VQA),
        question_file=QUESTIONS,
        ann_file=ANNOTATIONS,
        answer_file=MCAN,
        check_images='off',
    )
    cfg.update(kw)
    return DATASETS.build(cfg)


def test_subset7_soft_targets_match_the_worked_example():
    ds = build()
    infos = {ds.get_data_info(i)['question_id']: ds.get_data_info(i) for i in range(len(ds))}
    assert len(infos) == 7

    def targets(qid):
        info = infos[qid]
        return dict(zip(info['answer_labels'], info['answer_scores']))

    assert targets(458752000) == {0: 1.0}  # net x8; netting, mesh: not in vocab
    assert targets(458752001) == {1: 1.0, 67: 0.3}  # pitcher, catcher
    assert targets(458752003) == {3: 1.0, 9: 0.3}  # yes, no
    assert targets(262146002) == {6: 1.0, 30: 0.3, 75: 0.3}  # 'red & white' dropped
    info = infos[458752001]
    assert info['question'] == 'What position is this man playing?'
    assert info['gt_answers'].count('pitcher') == 9 and info['answer_type'] == 'other'
    assert info['img_path'].endswith('COCO_train2014_000000458752.jpg')
    assert ds.metainfo['answers'][:8] == (
        'net',
        'pitcher',
        'orange',
        'yes',
        'white',
        'skiing',
        'red',
        'frisbee',
    )
    assert ds.vocab_stats == dict(
        questions=7,
        kept=7,
        annotator_answers=70,
        answers_not_in_vocab=3,
        questions_without_label=0,
        vocab_size=3129,
    )


def test_answers_missing_from_the_vocabulary_are_counted_and_logged(tmp_path):
    save_answer_list(['net', 'yes'], tmp_path / 'small.json')
    records = []

    class Collect(logging.Handler):
        def emit(self, record):
            records.append(record.getMessage())

    logger = MMLogger.get_instance('test_vqa_vocab', log_level='INFO')
    handler = Collect()
    logger.addHandler(handler)
    try:
        ds = build(answer_file=str(tmp_path / 'small.json'), filter_no_label=True)
    finally:
        logger.removeHandler(handler)
    text = '\n'.join(records)
    assert [ds.get_data_info(i)['question_id'] for i in range(len(ds))] == [458752000, 458752003]
    assert ds.vocab_stats['questions_without_label'] == 5
    assert ds.vocab_stats['answers_not_in_vocab'] == 70 - 8 - 9
    assert (
        '53 of 70 annotator answers' in text
        and 'not in the 2-answer vocabulary' in text
        and '5 questions' in text
        and '(dropped)' in text
    )
    assert len(build(answer_file=str(tmp_path / 'small.json'))) == 7  # kept


def test_vocabulary_of_the_first_100_agrees_with_mcan_order():
    anns = read_annotations(str(VQA / 'v2_mscoco_train2014_annotations_first100.json'))
    vocab = build_answer_vocab(anns)
    mcan = load_answer_list(str(VQA / MCAN))
    assert vocab[:8] == mcan[:8]
    shared = [a for a in vocab if a in set(mcan)]
    assert shared == sorted(shared, key=mcan.index)  # first-seen order, both
    top = build_answer_vocab(anns, top_k=3)
    assert len(top) == 3 and 'yes' in top and 'no' in top
    all_answers = build_answer_vocab(anns, field='answers', min_count=5)
    assert set(all_answers) >= {'yes', 'no'}


def test_missing_image_is_a_clear_error_or_skipped(tmp_path):
    (tmp_path / 'COCO_train2014_000000262146.jpg').write_bytes(b'')
    kw = dict(data_prefix=dict(img_path=str(tmp_path)))
    with pytest.raises(
        FileNotFoundError,
        match=r'4 of 7 questions .* missing images '
        r'\(e\.g\. question 458752000 -> .*COCO_train2014_000000458752\.jpg\)',
    ):
        build(check_images='error', **kw)
    ds = build(check_images='skip', **kw)
    assert len(ds) == 3


def test_split_without_annotations_and_mismatched_files(tmp_path):
    ds = build(ann_file='')
    info = ds.get_data_info(0)
    assert 'gt_answers' not in info and info['question_id'] == 458752000
    other = tmp_path / 'other.json'
    other.write_text(json.dumps(dict(annotations=[dict(question_id=1, answers=[])])))
    with pytest.raises(ValueError, match='7 questions .* have no annotation'):
        build(ann_file=str(other))


def test_bad_files_name_the_file_and_the_fix(tmp_path):
    with pytest.raises(FileNotFoundError, match='make_toy.py vqa'):
        DATASETS.build(
            dict(
                type='VQAv2Dataset',
                question_file=str(tmp_path / 'q.json'),
                answer_file=str(tmp_path / 'a.json'),
            )
        )
    q = tmp_path / 'q.json'
    q.write_text(json.dumps(dict(questions=[dict(image_id=1, question='why?')])))
    with pytest.raises(ValueError, match=r"q\.json, question record 0: missing 'question_id'"):
        DATASETS.build(
            dict(type='VQAv2Dataset', question_file=str(q), answer_file=str(tmp_path / 'a.json'))
        )
    q.write_text(json.dumps(dict(questions=[])))
    with pytest.raises(FileNotFoundError, match='build_vqa_answers.py'):
        DATASETS.build(
            dict(type='VQAv2Dataset', question_file=str(q), answer_file=str(tmp_path / 'a.json'))
        )
    with pytest.raises(ValueError, match='check_images'):
        VQAv2Dataset(question_file=str(q), check_images='maybe')


def test_answer_list_formats(tmp_path):
    path = tmp_path / 'answers.json'
    save_answer_list(['yes', 'no', '2'], path)
    assert load_answer_list(str(path)) == ['yes', 'no', '2']
    path.write_text(json.dumps({'no': 1, 'yes': 0}))
    assert load_answer_list(str(path)) == ['yes', 'no']
    path.write_text(json.dumps([{'yes': 0, 'no': 1}, {'0': 'yes', '1': 'no'}]))
    assert load_answer_list(str(path)) == ['yes', 'no']
    path.write_text(json.dumps({'no': 3}))
    with pytest.raises(ValueError, match='indices'):
        load_answer_list(str(path))
    path.write_text(json.dumps(['a', 'a']))
    with pytest.raises(ValueError, match='duplicates'):
        load_answer_list(str(path))
    with pytest.raises(ValueError, match='duplicates'):
        save_answer_list(['a', 'a'], tmp_path / 'x.json')


def test_soft_scores_raw_versus_normalised_counting():
    vocab = {'2': 0, 'red': 1}
    answers = ['2'] * 2 + ['two'] * 2 + ['Red'] + ['blue'] * 5
    assert soft_targets(answers, vocab) == ([0, 1], [1.0, 0.3], 5)
    assert soft_targets(answers, vocab, normalize=False) == ([0], [0.6], 8)  # ViLT
    assert [vqa_score(k) for k in range(6)] == [0.0, 0.3, 0.6, 0.9, 1.0, 1.0]


def test_pipeline_and_collate_give_model_inputs(tmp_path):
    from PIL import Image

    from vltoolkit.tokenization import train_word_level_tokenizer

    for image_id in (458752, 262146):
        Image.new('RGB', (40, 30), (255, 0, 0)).save(
            tmp_path / f'COCO_train2014_{image_id:012d}.jpg'
        )
    train_word_level_tokenizer(['what is this ?'], str(tmp_path / 'tok'))
    tokenizer = dict(type='HFTokenizer', path=str(tmp_path / 'tok'), max_length=6)
    ds = build(
        check_images='error',
        data_prefix=dict(img_path=str(tmp_path)),
        pipeline=[
            dict(type='LoadImage'),
            dict(type='ResizeImageAndBoxes', scale=(32, 32)),
            dict(type='TaskPrompt', task='vqa', target_templates=dict(vqa=None)),
            dict(type='TokenizeText', tokenizer=tokenizer),
            dict(
                type='PackVLInputs',
                data_keys=(
                    'question',
                    'gt_answers',
                    'answer_labels',
                    'answer_scores',
                    'answer_type',
                ),
            ),
        ],
    )
    batch = vl_collate([ds[0], ds[6]])
    assert batch['inputs']['images'].shape == (2, 3, 32, 32)
    assert batch['inputs']['input_ids'].shape[1] <= 6  # truncated to max_length
    sample = batch['data_samples'][1]
    assert sample.answer_labels == [6, 30, 75] and sample.answer_scores == [1.0, 0.3, 0.3]
    assert 'labels' not in batch['inputs']
    assert torch.equal(batch['inputs']['attention_mask'].sum(1), torch.tensor([6, 6]))
