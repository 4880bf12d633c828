import doctest
import logging
from itertools import zip_longest

import numpy as np
import pytest
import torch
from mmengine.logging import MMLogger
from rich.table import Table
from sklearn.metrics import f1_score, precision_recall_fscore_support

from vltoolkit.evaluation import MacroF1, multi_hot, relation_table
from vltoolkit.evaluation.metrics import macro_f1 as macro_f1_module
from vltoolkit.evaluation.metrics.utils import LEFT_OUT
from vltoolkit.registry import METRICS
from vltoolkit.structures import VLDataSample

VCOCO_CLASSES = (
    'hold_obj',
    'stand',
    'sit_instr',
    'ride_instr',
    'walk',
    'look_obj',
    'hit_instr',
    'hit_obj',
    'eat_obj',
    'eat_instr',
    'jump_instr',
    'lay_instr',
    'talk_on_phone_instr',
    'carry_obj',
    'throw_obj',
    'catch_obj',
    'cut_instr',
    'cut_obj',
    'run',
    'work_on_computer_instr',
    'ski_instr',
    'surf_instr',
    'skateboard_instr',
    'smile',
    'drink_instr',
    'kick_obj',
    'point_instr',
    'read_obj',
    'snowboard_instr',
)
VCOCO_PHRASES = {
    'hold_obj': 'hold',
    'stand': 'stand',
    'sit_instr': 'sit on',
    'ride_instr': 'ride',
    'walk': 'walk',
    'look_obj': 'look at',
    'hit_instr': 'hit with',
    'hit_obj': 'hit',
    'eat_obj': 'eat',
    'eat_instr': 'eat with',
    'jump_instr': 'jump',
    'lay_instr': 'lay on',
    'talk_on_phone_instr': 'talk on phone',
    'carry_obj': 'carry',
    'throw_obj': 'throw',
    'catch_obj': 'catch',
    'cut_instr': 'cut with',
    'cut_obj': 'cut',
    'run': 'run',
    'work_on_computer_instr': 'work on computer',
    'ski_instr': 'ski',
    'surf_instr': 'surf',
    'skateboard_instr': 'skateboard',
    'smile': 'smile',
    'drink_instr': 'drink with',
    'kick_obj': 'kick',
    'point_instr': 'point with',
    'read_obj': 'read',
    'snowboard_instr': 'snowboard',
}
META = dict(classes=VCOCO_CLASSES, relation_phrases=VCOCO_PHRASES)


def sk_macro(y_true, y_pred, average_over='seen'):
    """sklearn's macro F1 (percent) for each ``average_over``; 0 when there
    is nothing to average (sklearn: NaN for 'seen', an error for 'gt')."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if average_over == 'all':
        return f1_score(y_true, y_pred, average='macro', zero_division=0) * 100
    if average_over == 'seen':
        value = f1_score(y_true, y_pred, average='macro', zero_division=np.nan) * 100
        return 0.0 if np.isnan(value) else value
    labels = np.flatnonzero(y_true.sum(0) > 0)
    if labels.size == 0:
        return 0.0
    return f1_score(y_true, y_pred, average='macro', labels=labels, zero_division=0) * 100


# ---------------------------------------------------------------- calculate
def test_conventions_vector():
    y = np.array([[1, 0, 0, 0], [1, 1, 0, 0], [0, 1, 0, 1]])
    p = np.array([[1, 0, 0, 1], [0, 1, 0, 0], [0, 0, 0, 1]])
    # by hand: every column with a positive has TP=1 and FP+FN=1 -> F1=2/3;
    # column 2 has no positive and no prediction -> F1=0 (zero_division=0)
    # over all 4 labels: (2/3 + 2/3 + 0 + 2/3) / 4 = 1/2 -> 50.0
    assert f1_score(y, p, average='macro', zero_division=0) * 100 == pytest.approx(50.0)
    assert MacroF1.calculate(y, p, labels=[0, 1, 2, 3])['macro_f1'] == pytest.approx(50.0)
    assert MacroF1.calculate(y, p, average_over='all')['macro_f1'] == pytest.approx(50.0)
    # 'seen' (default) and 'gt' drop column 2 (nobody mentions it):
    # 3 * (2/3) / 3, sklearn's zero_division=nan: 0.6667
    for average_over in ('seen', 'gt'):
        res = MacroF1.calculate(y, p, average_over=average_over)
        assert res['labels'].tolist() == [0, 1, 3]
        assert res['macro_f1'] == pytest.approx(200 / 3)
    assert f1_score(y, p, average='macro', zero_division=np.nan) == pytest.approx(2 / 3)
    res = MacroF1.calculate(y, p)
    assert res['average_over'] == 'seen'
    assert res['macro_f1'] == pytest.approx(sk_macro(y, p))
    # micro over all columns: TP=3, FP=1, FN=2 -> 6 / 9
    assert res['micro_f1'] == pytest.approx(200 / 3)
    assert res['support'].tolist() == [2, 2, 0, 1]
    assert res['num_predicted'].tolist() == [1, 1, 0, 2]
    np.testing.assert_allclose(res['precision'], [100, 100, 0, 50])
    np.testing.assert_allclose(res['recall'], [50, 50, 0, 100])


def test_hallucinated_relation_lowers_the_default_macro_f1():
    # relation 2 is never in the ground truth; the model predicts it once
    y = np.array([[1, 0, 0], [0, 1, 0], [1, 1, 0]])
    perfect = y.copy()
    hallucinating = y.copy()
    hallucinating[0, 2] = 1
    assert MacroF1.calculate(y, perfect)['macro_f1'] == 100.0
    # 'seen': relation 2 has F1 = 0 and enters the mean: (1 + 1 + 0) / 3
    res = MacroF1.calculate(y, hallucinating)
    assert res['labels'].tolist() == [0, 1, 2]
    assert res['macro_f1'] == pytest.approx(200 / 3)
    assert res['macro_f1'] == pytest.approx(
        f1_score(y, hallucinating, average='macro', zero_division=np.nan) * 100
    )
    # 'gt' (the old rule) does not see it; 'all' counts relation 2 anyway
    assert MacroF1.calculate(y, hallucinating, average_over='gt')['macro_f1'] == 100.0
    assert MacroF1.calculate(y, perfect, average_over='all')['macro_f1'] == pytest.approx(200 / 3)
    with pytest.raises(ValueError, match="average_over must be one of"):
        MacroF1.calculate(y, perfect, average_over='present')
    with pytest.raises(ValueError, match="average_over must be one of"):
        MacroF1(average_over='macro')


@pytest.mark.parametrize('average_over', ['seen', 'all', 'gt'])
@pytest.mark.parametrize('seed', range(120))
def test_agrees_with_sklearn(seed, average_over):
    rng = np.random.default_rng(seed)
    # c >= 2: sklearn reads a single 0/1 column as a binary target, not as
    # a multilabel indicator
    n, c = rng.integers(1, 40), rng.integers(2, 12)
    y = (rng.random((n, c)) < rng.uniform(0.05, 0.6)).astype(int)
    p = (rng.random((n, c)) < rng.uniform(0.0, 0.6)).astype(int)
    if seed % 5 == 0:
        y[:, rng.integers(c)] = 0  # a column with no positive
    if seed % 7 == 0:
        p[rng.integers(n)] = 0  # an empty prediction
    if seed % 3 == 0:  # a hallucinated relation: predicted, never true
        col = rng.integers(c)
        y[:, col] = 0
        p[rng.integers(n), col] = 1
    if seed % 4 == 0:  # a relation nobody mentions
        col = rng.integers(c)
        y[:, col] = p[:, col] = 0
    if seed % 11 == 0:
        p[:] = 0  # nothing predicted at all
    res = MacroF1.calculate(y, p, average_over=average_over)
    assert res['macro_f1'] == pytest.approx(sk_macro(y, p, average_over), abs=1e-9)
    assert res['average_over'] == average_over
    assert res['micro_f1'] == pytest.approx(
        f1_score(y, p, average='micro', zero_division=0) * 100, abs=1e-9
    )
    prec, rec, f1, support = precision_recall_fscore_support(
        y, p, average=None, labels=np.arange(c), zero_division=0
    )
    np.testing.assert_allclose(res['precision'], prec * 100, atol=1e-9)
    np.testing.assert_allclose(res['recall'], rec * 100, atol=1e-9)
    np.testing.assert_allclose(res['f1'], f1 * 100, atol=1e-9)
    np.testing.assert_array_equal(res['support'], support)
    labels = dict(
        all=np.arange(c),
        gt=np.flatnonzero(y.sum(0) > 0),
        seen=np.flatnonzero((y.sum(0) + p.sum(0)) > 0),
    )[average_over]
    np.testing.assert_array_equal(res['labels'], labels)
    if labels.size:
        for avg_key, sk_idx in (('macro_precision', 0), ('macro_recall', 1)):
            sk = precision_recall_fscore_support(
                y, p, average='macro', labels=labels, zero_division=0
            )
            assert res[avg_key] == pytest.approx(sk[sk_idx] * 100, abs=1e-9)
    # explicit labels follow sklearn's labels= semantics
    chosen = rng.choice(c, size=rng.integers(1, c + 1), replace=False)
    assert MacroF1.calculate(y, p, labels=chosen)['macro_f1'] == pytest.approx(
        f1_score(y, p, average='macro', labels=chosen, zero_division=0) * 100, abs=1e-9
    )


def test_calculate_inputs():
    y = torch.tensor([[1, 0], [0, 1]])
    p = torch.tensor([[True, False], [True, True]])
    res = MacroF1.calculate(y, p)
    assert res['macro_f1'] == pytest.approx(sk_macro(y.numpy(), p.int().numpy()))
    assert MacroF1.calculate([[1, 0]], [[1, 0]])['macro_f1'] == 100.0
    # no positive at all: 'gt' has nothing to average, 'seen' scores the
    # hallucinations 0
    res = MacroF1.calculate(np.zeros((3, 2)), np.ones((3, 2)), average_over='gt')
    assert res['macro_f1'] == 0.0 and res['labels'].size == 0
    res = MacroF1.calculate(np.zeros((3, 2)), np.ones((3, 2)))
    assert res['macro_f1'] == 0.0 and res['labels'].tolist() == [0, 1]
    # nothing true, nothing predicted: 0 (sklearn: NaN)
    res = MacroF1.calculate(np.zeros((3, 2)), np.zeros((3, 2)))
    assert res['macro_f1'] == 0.0 and res['labels'].size == 0
    assert MacroF1.calculate(np.zeros((0, 3)), np.zeros((0, 3)))['macro_f1'] == 0.0
    with pytest.raises(ValueError, match='shape'):
        MacroF1.calculate(np.zeros((2, 3)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match='0 and 1'):
        MacroF1.calculate([[2, 0]], [[1, 0]])
    with pytest.raises(ValueError, match='2-D'):
        MacroF1.calculate([1, 0], [1, 0])
    with pytest.raises(ValueError, match='out of range'):
        MacroF1.calculate([[1, 0]], [[1, 0]], labels=[2])


def test_multi_hot():
    out = multi_hot([['b', 'a'], [], 'c'], ['a', 'b', 'c'])
    assert out.tolist() == [[1, 1, 0], [0, 0, 0], [0, 0, 1]]
    with pytest.raises(ValueError, match="'zzz'"):
        multi_hot([['a', 'zzz']], ['a', 'b'])


def test_doctests():
    failed, attempted = doctest.testmod(macro_f1_module)
    assert attempted > 0 and failed == 0


# ------------------------------------------------------------------- metric
def test_registered():
    metric = METRICS.build(dict(type='MacroF1', print_table=False))
    assert isinstance(metric, MacroF1)
    assert metric.prefix == 'hoi'


def make_samples():
    # (pred_text, gt_relations)
    return [
        ('hold , eat', ['hold_obj', 'eat_obj']),
        ('Hold,  EAT with <loc_3><loc_9>', ['hold_obj', 'eat_instr']),
        ('talk on phone, fly', ['talk_on_phone_instr']),
        ('<loc_1><loc_2>', ['stand']),
        ('', ['walk']),
        ('stand, smile', ['stand', 'hold_obj']),  # smile: hallucinated
        ('ride,ride, sit on', ['ride_instr', 'sit_instr']),
        ('garbage text here', ['ride_instr']),
    ]


def expected_arrays(samples):
    from vltoolkit.evaluation import RelationParser

    parser = RelationParser(VCOCO_PHRASES)
    y = multi_hot([g for _, g in samples], VCOCO_CLASSES)
    p = multi_hot([sorted(parser.parse(t)[0]) for t, _ in samples], VCOCO_CLASSES)
    return y, p


def test_end_to_end_dicts(caplog):
    samples = make_samples()
    metric = MacroF1(print_table=False)
    metric.dataset_meta = META
    batch = [dict(pred_text=t, gt_relations=g) for t, g in samples]
    metric.process(None, batch[:5])
    metric.process(None, batch[5:])
    out = metric.evaluate(len(batch))
    y, p = expected_arrays(samples)
    assert out['hoi/macro_f1'] == pytest.approx(sk_macro(y, p))
    assert out['hoi/micro_f1'] == pytest.approx(
        f1_score(y, p, average='micro', zero_division=0) * 100
    )
    assert out['hoi/unparseable'] == 3  # '<loc..>', '', 'garbage text here'
    assert out['hoi/unknown_segments'] == 2  # 'fly', 'garbage text here'
    assert out['hoi/num_samples'] == 8
    assert out['hoi/num_relations'] == int(((y.sum(0) + p.sum(0)) > 0).sum())
    assert out['hoi/num_relations'] == int((y.sum(0) > 0).sum()) + 1  # smile
    assert metric.results == []  # evaluate() resets
    last = metric.last_result
    assert last['classes'] == VCOCO_CLASSES
    assert last['f1'].shape == (29,)
    assert last['support'][VCOCO_CLASSES.index('hold_obj')] == 3
    # by hand for three classes
    hold = VCOCO_CLASSES.index('hold_obj')  # TP 2, FN 1 -> 2*2/(4+1)
    ride = VCOCO_CLASSES.index('ride_instr')  # TP 1, FN 1 -> 2/3
    eat = VCOCO_CLASSES.index('eat_obj')  # TP 1 -> 1
    assert last['f1'][hold] == pytest.approx(80.0)
    assert last['f1'][ride] == pytest.approx(200 / 3)
    assert last['f1'][eat] == pytest.approx(100.0)


@pytest.mark.parametrize('average_over', ['seen', 'all', 'gt'])
def test_metric_average_over(average_over):
    samples = make_samples()
    metric = MacroF1(average_over=average_over, print_table=False)
    metric.dataset_meta = META
    metric.process(None, [dict(pred_text=t, gt_relations=g) for t, g in samples])
    out = metric.compute_metrics(metric.results)
    y, p = expected_arrays(samples)
    assert out['macro_f1'] == pytest.approx(sk_macro(y, p, average_over))
    assert metric.last_result['average_over'] == average_over
    smile = VCOCO_CLASSES.index('smile')
    assert (smile in metric.last_result['labels']) == (average_over != 'gt')


def test_end_to_end_data_samples_and_to_dict():
    samples = make_samples()
    elements = []
    for i, (t, g) in enumerate(samples):
        s = VLDataSample(metainfo=dict(sample_idx=i))
        s.pred_text, s.gt_relations = t, g
        elements.append(s)
    m1 = MacroF1(print_table=False)
    m1.dataset_meta = META
    m1.process(None, elements)
    m2 = MacroF1(print_table=False)
    m2.dataset_meta = META
    m2.process(None, [s.to_dict() for s in elements])
    r1 = m1.compute_metrics(m1.results)
    r2 = m2.compute_metrics(m2.results)
    assert r1 == r2
    y, p = expected_arrays(samples)
    assert r1['macro_f1'] == pytest.approx(sk_macro(y, p))


def test_unknown_gt_class_raises():
    metric = MacroF1(print_table=False)
    metric.dataset_meta = META
    with pytest.raises(ValueError, match='fly_instr'):
        metric.process(None, [dict(pred_text='hold', gt_relations=['hold_obj', 'fly_instr'])])
    with pytest.raises(ValueError, match='pred_text'):
        metric.process(None, [dict(gt_relations=['hold_obj'])])


def test_overrides_and_meta_change():
    metric = MacroF1(classes=['a', 'b'], phrases={'a': 'x', 'b': 'y z'}, print_table=False)
    metric.dataset_meta = META  # parameters win over the dataset's meta
    metric.process(
        None, [dict(pred_text='Y Z', gt_relations=['b']), dict(pred_text='x', gt_relations=['b'])]
    )
    res = metric.compute_metrics(metric.results)
    assert res['macro_f1'] == pytest.approx(sk_macro([[0, 1], [0, 1]], [[0, 1], [1, 0]]))
    # phrases from the meta, class subset from the parameter
    metric = MacroF1(classes=['hold_obj', 'eat_obj'], print_table=False)
    metric.dataset_meta = META
    metric.process(None, [dict(pred_text='hold, ride', gt_relations=['hold_obj'])])
    res = metric.compute_metrics(metric.results)
    assert res['macro_f1'] == 100.0 and res['unknown_segments'] == 1
    # changing the meta rebuilds the parser
    metric.dataset_meta = dict(classes=('u',), relation_phrases={'u': 'uu'})
    metric.classes = None
    metric.process(None, [dict(pred_text='uu', gt_relations=['u'])])
    assert metric.parser.classes == ('u',)


def test_no_classes_error():
    metric = MacroF1(print_table=False)
    with pytest.raises(ValueError, match='no relation classes'):
        metric.process(None, [dict(pred_text='a', gt_relations=[])])


def test_table_logged(capsys):
    logger = MMLogger.get_instance('test_macro_f1_table', log_level='INFO')
    records = []

    class Collect(logging.Handler):
        def emit(self, record):
            records.append(record.getMessage())

    handler = Collect()
    logger.addHandler(handler)
    try:
        metric = MacroF1(table_width=120)
        metric.dataset_meta = META
        metric.process(None, [dict(pred_text=t, gt_relations=g) for t, g in make_samples()])
        metric.evaluate(8)
    finally:
        logger.removeHandler(handler)
    text = '\n'.join(records)
    for word in (
        'Relation',
        'Precision',
        'Recall',
        'F1',
        'Support',
        'talk_on_phone_instr',
        'snowboard_instr',
        'macro',
    ):
        assert word in text
    assert max(len(line) for line in text.splitlines()) <= 120


def test_relation_table():
    # c: predicted once, never true (hallucinated); d: nobody mentions it
    y, p = [[1, 0, 0, 0], [0, 1, 0, 0]], [[1, 1, 0, 0], [0, 1, 1, 0]]
    res = MacroF1.calculate(y, p)
    table = relation_table(res, ['a', 'b', 'c', 'd'])
    assert isinstance(table, Table)
    assert table.row_count == 5  # 4 relations + macro
    text = macro_f1_module.render_table(table, width=120)
    rows = {
        line.split()[1]: line
        for line in text.splitlines()
        if line.strip().startswith('│ ') and line.split()[1] in 'abcd'
    }
    assert '0.00' in rows['c'] and ' - ' in rows['d'] and ' - ' not in rows['c']
    assert 'macro (3 of 4, seen)' in text and '55.56' in text  # (2/3+1+0)/3
    assert 'neither in the ground truth nor predicted' in ' '.join(text.split())
    res = MacroF1.calculate(y, p, average_over='gt')
    text = macro_f1_module.render_table(relation_table(res, 'abcd'), width=120)
    assert 'macro (2 of 4, gt)' in text and '83.33' in text
    assert 'no ground-truth positive' in ' '.join(text.split())
    res = MacroF1.calculate(y, p, average_over='all')
    text = macro_f1_module.render_table(relation_table(res, 'abcd'), width=120)
    assert 'macro (4 of 4, all)' in text and ' - ' not in text
    with pytest.raises(ValueError):
        relation_table(res, ['a', 'b'])


def test_tasks_filter_skips_other_tasks():
    metric = MacroF1(
        classes=('hold_obj', 'look_obj'),
        phrases=dict(hold_obj='hold', look_obj='look'),
        tasks=('hoi',),
        print_table=False,
    )
    metric.process(
        None,
        [
            dict(task='hoi', pred_text='hold', gt_relations=['hold_obj']),
            dict(task='hoi_loc', pred_text='donut<loc_1><loc_2>', gt_relations=['look_obj']),
        ],
    )
    # one entry per evaluated sample (a placeholder for the other task)
    assert len(metric.results) == 2 and metric.results[1] == LEFT_OUT
    assert metric.compute_metrics(metric.results)['macro_f1'] == 100.0


def test_tasks_filter_on_two_ranks_drops_the_samplers_repeated_sample():
    """mmengine's DefaultSampler gives rank r the samples r, r + 2, ... of
    the set padded to an even length by repeating its first samples; its
    ``collect_results`` interleaves the ranks' result lists and cuts them at
    the set's size. With ``tasks=`` that must still drop the repeated sample."""
    samples = [
        dict(task='hoi', pred_text='hold', gt_relations=['hold_obj']),
        dict(task='hoi_loc', pred_text='cup<loc_1><loc_2>', gt_relations=[]),
        dict(task='hoi', pred_text='hold', gt_relations=['look_obj']),
    ]

    def metric():
        return MacroF1(
            classes=('hold_obj', 'look_obj'),
            phrases=dict(hold_obj='hold', look_obj='look'),
            tasks=('hoi',),
            print_table=False,
        )

    single = metric()
    single.process(None, samples)
    padded = samples + samples[:1]
    ranks = []
    for r in range(2):
        m = metric()
        m.process(None, padded[r::2])
        ranks.append(m.results)
    # mmengine.dist.collect_results_cpu: zip_longest, drop None, cut at size
    collected = [res for pair in zip_longest(*ranks) for res in pair if res is not None][
        : len(samples)
    ]
    assert metric().compute_metrics(collected) == single.compute_metrics(single.results)
    assert single.compute_metrics(single.results)['num_samples'] == 2
