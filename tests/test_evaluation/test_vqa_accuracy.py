"""VQAAccuracy: one hand-made case per rule of the official VQA evaluation."""

import doctest
import random
import re

import pytest

from vltoolkit.evaluation import VQAAccuracy, vqa_question_accuracy
from vltoolkit.evaluation.metrics import vqa_accuracy as vqa_accuracy_module
from vltoolkit.evaluation.parsers import vqa_normalize
from vltoolkit.evaluation.parsers.vqa_normalize import (
    normalize_answer,
    process_digit_article,
    process_punctuation,
)
from vltoolkit.registry import METRICS
from vltoolkit.structures import VLDataSample


def acc(pred, gts, legacy=False):
    return round(vqa_question_accuracy(pred, gts, legacy), 10)


def disagreeing(answer, n=9, other='zzz'):
    """n copies of `answer` and 10 - n of another answer: normalisation on."""
    return [answer] * n + [other] * (10 - n)


# ------------------------------------------------------------------ scoring
@pytest.mark.parametrize(
    'matches,expected', [(0, 0.0), (1, 0.3), (2, 0.6), (3, 0.9), (4, 1.0), (10, 1.0)]
)
def test_min_matches_over_3_averaged_over_leave_one_out(matches, expected):
    gts = ['cat'] * matches + ['dog'] * (10 - matches)
    assert acc('cat', gts) == expected


def test_fewer_than_ten_answers_and_empty_answers():
    assert acc('cat', ['cat', 'cat', 'dog']) == round((1 / 3 + 1 / 3 + 2 / 3) / 3, 10)
    with pytest.raises(ValueError, match='at least one'):
        vqa_question_accuracy('cat', [])


# --------------------------------------------------------------- whitespace
def test_newlines_tabs_and_edges_always_cleaned():
    assert acc(' yes\n', ['yes'] * 10) == 1.0  # answers agree: still cleaned
    assert acc('two\tdogs', ['two dogs'] * 10) == 1.0
    assert acc('yes', ['yes\n'] * 10) == 1.0  # ground truth too


# ------------------------------------------ normalise only when GTs disagree
def test_unanimous_ground_truth_is_compared_raw():
    assert acc('Yes', ['yes'] * 10) == 0.0  # not even lower-cased
    assert acc('two', ['2'] * 10) == 0.0  # no number words
    assert acc('yes!', ['yes'] * 10) == 0.0  # no punctuation
    assert acc('Yes', disagreeing('yes')) == 1.0  # disagreeing: normalised


# --------------------------------------------------------------- punctuation
def test_punctuation_next_to_a_space_is_deleted():
    assert process_punctuation('black - white') == 'black  white'
    assert acc('black - white', disagreeing('black white')) == 1.0


def test_punctuation_not_next_to_a_space_becomes_a_space():
    assert process_punctuation('black-and-white') == 'black and white'
    assert acc('black-and-white', disagreeing('black and white')) == 1.0
    assert acc('yes!', disagreeing('yes')) == 1.0  # 'yes ' -> split -> 'yes'


def test_digit_comma_digit_deletes_every_mark():
    assert process_punctuation('1,000') == '1000'
    assert process_punctuation('1,000/2') == '10002'  # '/' deleted too
    assert process_punctuation('a,b') == 'a b'  # no digit,digit: a space
    assert acc('1,000', disagreeing('1000')) == 1.0


def test_period_removed_unless_before_a_digit_at_most_32_times():
    assert process_punctuation('e.g. 3.5') == 'eg 3.5'
    assert acc('3.', disagreeing('3')) == 1.0
    assert acc('3.5', disagreeing('35')) == 0.0
    # re.UNICODE (= 32) is passed as re.sub's count: only 32 periods go
    assert process_punctuation('x' + '.' * 33) == 'x.'
    assert acc('x' + '.' * 32, disagreeing('x')) == 1.0
    assert acc('x' + '.' * 33, disagreeing('x')) == 0.0


def test_marks_outside_the_official_list_stay():
    assert normalize_answer('red & white') == 'red & white'
    assert acc('red & white', disagreeing('red and white')) == 0.0
    assert normalize_answer("it's") == "it's" and normalize_answer('a:b') == 'a:b'


# ----------------------------------------- number words, articles, contractions
def test_number_words_become_digits():
    assert acc('Two', ['two'] * 3 + ['2'] * 3 + ['3'] * 4) == 1.0  # 6 matches
    assert process_digit_article('none zero ten eleven') == '0 0 10 eleven'


def test_articles_are_dropped_and_case_folded():
    assert acc('The Dog', disagreeing('a dog')) == 1.0
    assert process_digit_article('an apple a day') == 'apple day'


def test_contractions_expand_and_capitalised_keys_never_match():
    assert acc('dont know', disagreeing("don't know")) == 1.0
    assert process_digit_article('Im') == 'im'  # table key 'Im': words are lower-cased
    assert acc('Im', disagreeing("i'm")) == 0.0
    assert process_digit_article('somebody\'d') == 'somebodyd'  # official quirk
    assert len(vqa_normalize.CONTRACTIONS) == 120


def test_legacy_evaluation():
    # legacy: the prediction is always normalised ...
    assert acc('Yes', ['yes'] * 10, legacy=True) == 1.0
    assert acc('Yes', ['yes'] * 10) == 0.0
    # ... and the ground truth only gets punctuation processing
    gts = ['The dog'] * 4 + ['cat'] * 6
    assert acc('dog', gts) == 1.0
    assert acc('dog', gts, legacy=True) == 0.0
    # ... which was never whitespace-cleaned (only the prediction was)
    assert acc('yes', ['yes '] * 10) == 1.0
    assert acc('yes', ['yes '] * 10, legacy=True) == 0.0
    assert acc(' yes\n', ['yes'] * 10, legacy=True) == 1.0
    assert acc('yes', ['yes\t'] * 4 + ['no'] * 6, legacy=True) == 0.0


# ------------------------------------- agreement with the official algorithm
PUNCT = [
    ';',
    '/',
    '[',
    ']',
    '"',
    '{',
    '}',
    '(',
    ')',
    '=',
    '+',
    '\\',
    '_',
    '-',
    '>',
    '<',
    '@',
    '`',
    ',',
    '?',
    '!',
]


PERIOD_STRIP = re.compile(r'(?!<=\d)(\.)(?!\d)')
COMMA_STRIP = re.compile(r'(\d)(\,)(\d)')


def process_punct(in_text):
    """``VQAEval.processPunctuation``, transcribed."""
    out_text = in_text
    for p in PUNCT:
        if (p + ' ' in in_text or ' ' + p in in_text) or (
            re.search(COMMA_STRIP, in_text) is not None
        ):
            out_text = out_text.replace(p, '')
        else:
            out_text = out_text.replace(p, ' ')
    return PERIOD_STRIP.sub('', out_text, re.UNICODE)


def process_digit(in_text):
    """``VQAEval.processDigitArticle``, transcribed."""
    manual_map = dict(vqa_normalize.NUMBER_WORDS)
    out_text = []
    for word in in_text.lower().split():
        word = manual_map.setdefault(word, word)
        if word not in ['a', 'an', 'the']:
            out_text.append(word)
    for word_id, word in enumerate(out_text):
        if word in vqa_normalize.CONTRACTIONS:
            out_text[word_id] = vqa_normalize.CONTRACTIONS[word]
    return ' '.join(out_text)


def _leave_one_out(answers, res_ans):
    gt_acc = []
    for gt_ans_datum in answers:
        other = [item for item in answers if item != gt_ans_datum]
        matching = [item for item in other if item['answer'] == res_ans]
        gt_acc.append(min(1, float(len(matching)) / 3))
    return float(sum(gt_acc)) / len(gt_acc)


def official_legacy(res_ans, gt_answers):
    """GT-Vision-Lab/VQA c4e6a0e (before a013f00) ``VQAEval.evaluate`` for
    one question, transcribed statement by statement: the prediction is
    whitespace-cleaned and normalised, the ground truth is not cleaned."""
    answers = [dict(answer=a, answer_id=i + 1) for i, a in enumerate(gt_answers)]
    res_ans = res_ans.replace('\n', ' ')
    res_ans = res_ans.replace('\t', ' ')
    res_ans = res_ans.strip()
    res_ans = process_punct(res_ans)
    res_ans = process_digit(res_ans)
    if len(set(a['answer'] for a in answers)) > 1:
        for ans_dic in answers:
            ans_dic['answer'] = process_punct(ans_dic['answer'])
    return _leave_one_out(answers, res_ans)


def official_head(res_ans, gt_answers):
    """GT-Vision-Lab/VQA a013f00 ``VQAEval.evaluate`` for one question,
    transcribed statement by statement (dict answers, as in the JSON)."""
    answers = [dict(answer=a, answer_id=i + 1) for i, a in enumerate(gt_answers)]
    for ans_dic in answers:
        ans_dic['answer'] = ans_dic['answer'].replace('\n', ' ').replace('\t', ' ').strip()
    res_ans = res_ans.replace('\n', ' ').replace('\t', ' ').strip()
    if len(set(a['answer'] for a in answers)) > 1:
        for ans_dic in answers:
            ans_dic['answer'] = process_digit(process_punct(ans_dic['answer']))
        res_ans = process_digit(process_punct(res_ans))
    return _leave_one_out(answers, res_ans)


@pytest.mark.parametrize('legacy', [False, True])
def test_agrees_with_the_official_algorithm_on_random_answers(legacy):
    official = official_legacy if legacy else official_head
    rng = random.Random(0)
    pieces = [
        'yes',
        'Yes',
        'no',
        'two',
        '2',
        'the',
        'a',
        'dog',
        'Dog',
        'dont',
        "don't",
        '1,000',
        '1000',
        'x.',
        '3.5',
        'red-white',
        'red - white',
        'none',
        '0',
        '!',
        '?',
        ',',
        ' ',
        '\t',
        '\n',
        'it',
        'cant',
        'Im',
    ]
    for _ in range(1500):
        pool = [
            ''.join(rng.choice(pieces) for _ in range(rng.randint(1, 3)))
            for _ in range(rng.randint(1, 3))
        ]
        gts = [rng.choice(pool) for _ in range(10)]
        pred = rng.choice(pool + [rng.choice(pieces)])
        assert vqa_question_accuracy(pred, gts, legacy) == official(pred, gts), (pred, gts)


# ------------------------------------------------------------------- metric
def test_calculate_rounds_like_the_official_report():
    res = VQAAccuracy.calculate(
        ['cat', 'cat', 'cat'],
        [['cat'] * 1 + ['dog'] * 9, ['cat'] * 10, ['dog'] * 10],
        ['other', 'other', 'yes/no'],
    )
    assert res['overall'] == round(100 * (0.3 + 1 + 0) / 3, 2) == 43.33
    assert res['per_answer_type'] == {'yes/no': 0.0, 'other': 65.0}
    assert res['per_question'].tolist() == [0.3, 1.0, 0.0]
    with pytest.raises(ValueError, match='2 predictions for 1 questions'):
        VQAAccuracy.calculate(['a', 'b'], [['a']])


def test_metric_maps_labels_counts_invalid_and_skips_unannotated():
    metric = METRICS.build(dict(type='VQAAccuracy'))
    metric.dataset_meta = dict(answers=('yes', 'no', '2'))
    samples = []
    for label, gts, atype in (
        (0, ['yes'] * 10, 'yes/no'),
        (2, ['two'] * 5 + ['3'] * 5, 'number'),
        (7, ['no'] * 10, 'yes/no'),
    ):
        s = VLDataSample(metainfo=dict(question_id=label))
        s.pred_label, s.gt_answers, s.answer_type = label, gts, atype
        samples.append(s)
    test_dev = VLDataSample()
    test_dev.pred_label = 1  # no gt_answers: a test-dev question
    metric.process(None, samples + [test_dev])
    res = metric.compute_metrics(metric.results)
    assert res == dict(
        accuracy=66.67,
        acc_yes_no=50.0,
        acc_number=100.0,
        num_questions=3,
        num_skipped=1,
        invalid_labels=1,
    )
    assert metric.last_result['question_ids'] == [0, 2, 7]


def test_metric_text_predictions_tasks_and_missing_vocabulary():
    metric = VQAAccuracy(tasks=['vqa'])
    metric.process(
        None,
        [
            dict(
                pred_answer='Two ', gt_answers=['2'] * 9 + ['3'], answer_type='number', task='vqa'
            ),
            dict(pred_answer='garbage <s>', gt_answers=['a'] * 10, answer_type='other', task='vqa'),
            dict(pred_answer='x', gt_answers=['x'], task='caption'),
        ],
    )
    res = metric.compute_metrics(metric.results)
    assert res['accuracy'] == 50.0 and res['num_questions'] == 2
    with pytest.raises(ValueError, match='no answer list'):
        VQAAccuracy().process(None, [dict(pred_label=0, gt_answers=['a'])])


def test_doctests():
    for module in (vqa_accuracy_module, vqa_normalize):
        assert doctest.testmod(module).failed == 0
