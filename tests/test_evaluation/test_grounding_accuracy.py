"""GroundingAccuracy and box_iou_paired (vltoolkit.evaluation.metrics)."""

import doctest

import numpy as np
import pytest
import torch
from mmengine.evaluator import Evaluator

from vltoolkit.evaluation import GroundingAccuracy, box_iou_paired
from vltoolkit.evaluation.metrics import grounding_accuracy as module
from vltoolkit.registry import METRICS
from vltoolkit.structures import VLDataSample
from vltoolkit.tokenization import BinBoxCoder, PatchIndexBoxCoder

# 101 bins on a 100-px side: bin k is exactly pixel k
EXACT = dict(type='BinBoxCoder', num_bins=101, token_fmt='<loc_{}>')


def loc(*bins):
    return ''.join(f'<loc_{b}>' for b in bins)


def test_doctests():
    assert doctest.testmod(module).failed == 0


def test_iou_by_hand():
    gt = [0, 0, 10, 10]
    cases = [
        ([0, 0, 10, 10], 1.0),
        ([5, 0, 15, 10], 50 / 150),  # half overlap: 50 / (100 + 100 - 50)
        ([0, 0, 10, 20], 100 / 200),  # gt inside, twice as tall
        ([2, 2, 8, 8], 36 / 100),  # inside gt
        ([10, 0, 20, 10], 0.0),  # touching edges: no area
        ([20, 20, 30, 30], 0.0),
        ([5, 5, 15, 15], 25 / 175),
    ]
    ious = box_iou_paired([c[0] for c in cases], [gt] * len(cases))
    np.testing.assert_allclose(ious, [c[1] for c in cases])
    # continuous coordinates: no +1 in widths
    np.testing.assert_allclose(
        box_iou_paired([[0, 0, 1, 1], [0, 0, 2, 2]], [[0, 0, 1, 1], [1, 1, 3, 3]]), [1.0, 1 / 7]
    )
    # empty union and NaN give 0
    np.testing.assert_allclose(
        box_iou_paired([[3, 3, 3, 3], [np.nan] * 4], [[3, 3, 3, 3], [0, 0, 1, 1]]), [0.0, 0.0]
    )
    with pytest.raises(ValueError, match='2 boxes paired with 1'):
        box_iou_paired([gt, gt], [gt])


def test_calculate_by_hand():
    gt = [[0, 0, 10, 10]] * 5
    preds = [[0, 0, 10, 10], [5, 0, 15, 10], [0, 0, 10, 20], None, [2, 2, 8, 8]]
    res = GroundingAccuracy.calculate(preds, gt)
    ious = [1, 1 / 3, 0.5, 0, 0.36]
    np.testing.assert_allclose(res['ious'], ious)
    assert res['acc_at_0_5'] == pytest.approx(40.0)  # 1.0 and exactly 0.5
    assert res['miou'] == pytest.approx(100 * sum(ious) / 5)
    assert res['num_missing'] == 1 and res['num_samples'] == 5
    # an [N, 4] array with NaN rows for the misses, and other thresholds
    arr = np.array([[0, 0, 10, 10], [np.nan] * 4, [2, 2, 8, 8]])
    res = GroundingAccuracy.calculate(arr, gt[:3], iou_thrs=(0.3, 0.75))
    assert res['acc_at_0_3'] == pytest.approx(200 / 3)
    assert res['acc_at_0_75'] == pytest.approx(100 / 3)
    assert res['num_missing'] == 1
    empty = GroundingAccuracy.calculate([], np.zeros((0, 4)))
    assert (empty['acc_at_0_5'], empty['miou'], empty['num_samples']) == (0.0, 0.0, 0)
    with pytest.raises(ValueError, match='2 predicted boxes for 1'):
        GroundingAccuracy.calculate([None, None], [[0, 0, 1, 1]])


def test_process_first_box_and_garbage():
    metric = GroundingAccuracy(box_coder=EXACT)
    shape = (100, 100)
    samples = [
        # exact; a second box after the first is ignored
        dict(
            pred_text=loc(10, 20, 30, 40) + ' and ' + loc(0, 0, 99, 99),
            gt_bboxes=[[10, 20, 30, 40]],
            img_shape=shape,
        ),
        # the first box is wrong, the second right: only the first counts
        dict(
            pred_text=loc(50, 50, 60, 60) + loc(10, 20, 30, 40),
            gt_bboxes=[[10, 20, 30, 40]],
            img_shape=shape,
        ),
        # IoU 1/3 (half overlap)
        dict(
            pred_text='the box is ' + loc(5, 0, 15, 10) + '</s>',
            gt_bboxes=np.array([[0, 0, 10, 10]], np.float32),
            img_shape=shape,
        ),
    ]
    garbage = [
        None,
        '',
        '???',
        loc(1, 2),
        loc(1, 2, 3),
        loc(5, 5, 1, 1),
        '<loc_101><loc_0><loc_5><loc_5>',
        '<loc_x>',
        12,
    ]
    samples += [dict(pred_text=g, gt_bboxes=[[0, 0, 10, 10]], img_shape=shape) for g in garbage]
    metric.process(None, samples)
    res = metric.compute_metrics(metric.results)
    n = len(samples)
    assert res['num_samples'] == n
    assert res['num_missing'] == len(garbage)
    assert res['acc_at_0_5'] == pytest.approx(100 / n)
    assert res['miou'] == pytest.approx(100 * (1 + 0 + 1 / 3) / n)
    np.testing.assert_allclose(metric.last_ious[:3], [1, 0, 1 / 3])


def test_img_shape_is_h_w():
    # 101 bins on a 200 x 50 (w x h) image: x = k * 2, y = k / 2
    metric = GroundingAccuracy(box_coder=EXACT)
    sample = VLDataSample(metainfo=dict(img_shape=(50, 200)))
    sample.pred_text = loc(10, 20, 50, 60)
    sample.gt_bboxes = torch.tensor([[20.0, 10.0, 100.0, 30.0]])
    metric.process(None, [sample])
    assert metric.compute_metrics(metric.results)['acc_at_0_5'] == 100.0
    assert metric.last_ious[0] == pytest.approx(1.0)


def test_patch_index_coder():
    coder = PatchIndexBoxCoder(num_patches_per_side=32)
    metric = GroundingAccuracy(box_coder=coder)
    gt = [64.0, 48.0, 192.0, 96.0]
    text = '<phrase>dog</phrase><object>' + ''.join(coder.encode(gt, (256, 192))) + '</object>'
    metric.process(None, [dict(pred_text=text, gt_bboxes=[gt], img_shape=(192, 256))])
    res = metric.compute_metrics(metric.results)
    decoded = coder.decode(''.join(coder.encode(gt, (256, 192))), (256, 192))
    expected = box_iou_paired([decoded], [gt])[0]
    assert res['miou'] == pytest.approx(100 * expected)
    assert res['acc_at_0_5'] == 100.0


def test_evaluator_prefix_and_data_samples():
    metric_cfg = dict(type='GroundingAccuracy', box_coder=dict(type='BinBoxCoder', num_bins=1000))
    assert isinstance(METRICS.build(metric_cfg), GroundingAccuracy)
    coder = BinBoxCoder(1000)
    evaluator = Evaluator(metric_cfg)
    samples = []
    for i, box in enumerate([[10, 10, 50, 40], [0, 0, 96, 96]]):
        s = VLDataSample(metainfo=dict(img_shape=(96, 96), sample_idx=i))
        s.gt_bboxes = np.array([box], np.float32)
        s.pred_text = ''.join(coder.encode(box, (96, 96)))
        samples.append(s)
    # the Evaluator hands metrics to_dict()-ed samples
    evaluator.process(samples)
    res = evaluator.evaluate(2)
    assert set(res) == {
        'grounding/acc_at_0_5',
        'grounding/miou',
        'grounding/num_missing',
        'grounding/num_samples',
    }
    assert res['grounding/acc_at_0_5'] == 100.0
    assert res['grounding/miou'] > 99


def test_missing_fields_are_errors():
    metric = GroundingAccuracy(box_coder=EXACT)
    with pytest.raises(ValueError, match="no 'img_shape' field"):
        metric.process(None, [dict(pred_text='', gt_bboxes=[[0, 0, 1, 1]])])
    with pytest.raises(ValueError, match="no 'gt_bboxes' field"):
        metric.process(None, [dict(pred_text='', img_shape=(4, 4))])
    with pytest.raises(ValueError, match='empty gt_bboxes'):
        metric.process(None, [dict(pred_text='', img_shape=(4, 4), gt_bboxes=np.zeros((0, 4)))])
    with pytest.raises(TypeError, match='box_coder must be'):
        GroundingAccuracy(box_coder='BinBoxCoder')


def test_tasks_filter_and_answer_box_of_hoi_localisation():
    from vltoolkit.evaluation import GroundingAccuracy

    metric = GroundingAccuracy(box_coder=dict(type='BinBoxCoder', num_bins=11), tasks=('hoi_loc',))
    metric.process(
        None,
        [
            # the person is gt_bboxes[0]; the answer is the object box
            dict(
                task='hoi_loc',
                pred_text='donut<bin_5><bin_5><bin_10><bin_10>',
                gt_bboxes=[[0, 0, 50, 50], [50, 50, 100, 100]],
                gt_answer_bboxes=[[50, 50, 100, 100]],
                img_shape=(100, 100),
            ),
            dict(task='hoi', pred_text='hold', gt_bboxes=[[0, 0, 1, 1]], img_shape=(100, 100)),
        ],
    )
    assert metric.compute_metrics(metric.results)['acc_at_0_5'] == 100.0
