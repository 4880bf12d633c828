"""COCOBoxMetric (vltoolkit.evaluation.metrics.coco_box_metric)."""

import contextlib
import doctest
import io

import numpy as np
import pytest
from mmengine.evaluator import Evaluator
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from vltoolkit.evaluation import COCOBoxMetric
from vltoolkit.evaluation.metrics import coco_box_metric as module
from vltoolkit.registry import METRICS
from vltoolkit.structures import VLDataSample
from vltoolkit.tokenization import BinBoxCoder, PatchIndexBoxCoder

# 101 bins on a 100-px side: bin k is exactly pixel k
EXACT = dict(type='BinBoxCoder', num_bins=101, token_fmt='<loc_{}>')
SHAPE = (100, 100)


def loc(box):
    return ''.join(f'<loc_{int(b)}>' for b in box)


def reference_coco_ap(gt_boxes, gt_labels, det_boxes, det_scores, det_labels):
    """pycocotools on the same arrays, built here independently: one image
    per list entry, xyxy -> xywh, category = label + 1."""
    images = [{'id': 100 + i} for i in range(len(gt_boxes))]
    cats = sorted({int(c) + 1 for ls in gt_labels for c in ls})
    annotations, results = [], []
    for i, (boxes, labels) in enumerate(zip(gt_boxes, gt_labels)):
        for b, c in zip(boxes, labels):
            annotations.append(
                {
                    'id': len(annotations) + 1,
                    'image_id': 100 + i,
                    'category_id': int(c) + 1,
                    'iscrowd': 0,
                    'bbox': [b[0], b[1], b[2] - b[0], b[3] - b[1]],
                    'area': (b[2] - b[0]) * (b[3] - b[1]),
                }
            )
    for i, (boxes, scores, labels) in enumerate(zip(det_boxes, det_scores, det_labels)):
        for b, s, c in zip(boxes, scores, labels):
            results.append(
                {
                    'image_id': 100 + i,
                    'category_id': int(c) + 1,
                    'score': float(s),
                    'bbox': [b[0], b[1], b[2] - b[0], b[3] - b[1]],
                }
            )
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO()
        gt.dataset = {
            'images': images,
            'annotations': annotations,
            'categories': [{'id': c, 'name': str(c)} for c in cats],
        }
        gt.createIndex()
        dt = gt.loadRes(results)
        ev = COCOeval(gt, dt, 'bbox')
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return ev.stats[:3] * 100


def test_doctests():
    assert doctest.testmod(module).failed == 0


def test_perfect_predictions_class_agnostic():
    gts = [
        [[10, 10, 40, 30], [50, 50, 90, 95]],
        [[0, 0, 100, 100]],
        [[5, 60, 20, 80], [30, 5, 45, 25], [60, 60, 70, 70]],
    ]
    metric = COCOBoxMetric(box_coder=EXACT)
    metric.process(
        None,
        [
            dict(
                pred_text=' '.join(loc(b) for b in boxes) + '</s>',
                gt_bboxes=np.array(boxes, np.float32),
                img_shape=SHAPE,
            )
            for boxes in gts
        ],
    )
    res = metric.compute_metrics(metric.results)
    assert (res['ap'], res['ap50'], res['ap75']) == (100.0, 100.0, 100.0)
    assert res['num_detections'] == 6 and res['num_missing'] == 0


def test_shifted_set_matches_pycocotools():
    gt_boxes = [
        [[10, 10, 40, 30], [50, 50, 90, 90]],
        [[0, 0, 60, 60]],
        [[5, 60, 20, 80], [30, 5, 45, 25], [60, 60, 70, 70]],
    ]
    shift = [[2, 1, 2, 1], [0, 0, 0, 0], [6, 6, 6, 6]]
    det_boxes = [
        # a good box, a shifted one, a spurious one
        [np.add(gt_boxes[0][0], shift[0]), np.add(gt_boxes[0][1], shift[2]), [70, 0, 80, 10]],
        # a loose box, then the exact one (lower score)
        [[0, 0, 80, 80], gt_boxes[1][0]],
        # shifted by 3 px, one missed
        [np.add(gt_boxes[2][0], 3), np.add(gt_boxes[2][2], [3, 0, 3, 0])],
    ]
    det_boxes = [[list(map(float, b)) for b in boxes] for boxes in det_boxes]
    det_scores = [1.0 / (np.arange(len(b)) + 1) for b in det_boxes]
    gt_labels = [[0] * len(b) for b in gt_boxes]
    det_labels = [[0] * len(b) for b in det_boxes]
    expected = reference_coco_ap(gt_boxes, gt_labels, det_boxes, det_scores, det_labels)
    # not a trivial value
    assert 0 < expected[0] < expected[1] <= 100
    # calculate() on the arrays
    res = COCOBoxMetric.calculate(
        [dict(bboxes=b, scores=s) for b, s in zip(det_boxes, det_scores)],
        [dict(bboxes=b) for b in gt_boxes],
    )
    np.testing.assert_allclose([res['ap'], res['ap50'], res['ap75']], expected)
    # and through generated text (integer boxes: exact with 101 bins)
    metric = COCOBoxMetric(box_coder=EXACT)
    metric.process(
        None,
        [
            dict(pred_text=''.join(loc(b) for b in dets), gt_bboxes=gts, img_shape=SHAPE)
            for dets, gts in zip(det_boxes, gt_boxes)
        ],
    )
    out = metric.compute_metrics(metric.results)
    np.testing.assert_allclose([out['ap'], out['ap50'], out['ap75']], expected)


def test_classes_parse_names():
    classes = ['circle', 'square', 'red triangle']
    metric = COCOBoxMetric(box_coder=EXACT, classes=classes)
    boxes, labels, unknown = metric.parse(
        'circle'
        + loc([1, 2, 3, 4])
        + ', the big Square '
        + loc([5, 6, 7, 8])
        + loc([9, 9, 10, 10])
        + '; Red_Triangle'
        + loc([0, 0, 5, 5])
        + ' dog'
        + loc([1, 1, 2, 2])
        + ' and'
        + loc([3, 3, 4, 4])
        + ' triangle'
        + loc([6, 6, 7, 7])
        + '</s>',
        SHAPE,
    )
    np.testing.assert_allclose(boxes, [[1, 2, 3, 4], [5, 6, 7, 8], [9, 9, 10, 10], [0, 0, 5, 5]])
    assert labels.tolist() == [0, 1, 1, 2]
    # dog, "and" and the bare "triangle" (only "red triangle" is a class)
    assert unknown == 3
    # a box at the very start has no name
    assert metric.parse(loc([1, 1, 2, 2]), SHAPE)[2] == 1
    # bare punctuation between runs keeps the last name
    _, labels, _ = metric.parse('square' + loc([1, 1, 2, 2]) + ' , ' + loc([3, 3, 4, 4]), SHAPE)
    assert labels.tolist() == [1, 1]


def test_kosmos_style_text():
    coder = PatchIndexBoxCoder(num_patches_per_side=32)
    metric = COCOBoxMetric(box_coder=coder, classes=['dog', 'cat'])
    text = (
        '<grounding> <phrase>a dog</phrase><object><patch_index_0044>'
        '<patch_index_0495></object> next to <phrase>a cat</phrase>'
        '<object><patch_index_0000><patch_index_0033></object></s>'
    )
    boxes, labels, unknown = metric.parse(text, (64, 64))
    assert labels.tolist() == [0, 1] and unknown == 0
    np.testing.assert_allclose(
        boxes[0], coder.decode('<patch_index_0044><patch_index_0495>', (64, 64))
    )


def test_perfect_and_swapped_with_classes():
    classes = ('circle', 'square')
    samples = []
    for gts, labels in (
        ([[10, 10, 40, 30], [50, 50, 90, 95]], [0, 1]),
        ([[0, 0, 60, 60]], ['square']),
    ):
        names = [classes[lb] if isinstance(lb, int) else lb for lb in labels]
        text = ' '.join(n + loc(b) for n, b in zip(names, gts))
        swapped = ' '.join(
            ('square' if n == 'circle' else 'circle') + loc(b) for n, b in zip(names, gts)
        )
        samples.append((text, swapped, gts, labels))
    metric = COCOBoxMetric(box_coder=EXACT, classes=classes)
    metric.process(
        None,
        [dict(pred_text=t, gt_bboxes=g, gt_labels=lb, img_shape=SHAPE) for t, _, g, lb in samples],
    )
    assert metric.compute_metrics(metric.results)['ap'] == 100.0
    metric = COCOBoxMetric(box_coder=EXACT, classes=classes)
    metric.process(
        None,
        [dict(pred_text=s, gt_bboxes=g, gt_labels=lb, img_shape=SHAPE) for _, s, g, lb in samples],
    )
    assert metric.compute_metrics(metric.results)['ap'] == 0.0
    with pytest.raises(ValueError, match="unknown class name 'dog'"):
        metric.process(
            None, [dict(pred_text='', gt_bboxes=[[0, 0, 1, 1]], gt_labels=['dog'], img_shape=SHAPE)]
        )
    with pytest.raises(ValueError, match='value 2 is not an index'):
        metric.process(
            None, [dict(pred_text='', gt_bboxes=[[0, 0, 1, 1]], gt_labels=[2], img_shape=SHAPE)]
        )
    with pytest.raises(ValueError, match='1 gt_labels for 2 gt_bboxes'):
        metric.process(
            None, [dict(pred_text='', gt_bboxes=[[0, 0, 1, 1]] * 2, gt_labels=[0], img_shape=SHAPE)]
        )
    with pytest.raises(ValueError, match='distinct after normalisation'):
        COCOBoxMetric(box_coder=EXACT, classes=['Dog', 'dog'])


def test_garbage_empty_and_silent(capsys):
    metric = COCOBoxMetric(box_coder=EXACT)
    metric.process(
        None,
        [
            dict(pred_text=g, gt_bboxes=[[0, 0, 10, 10]], img_shape=SHAPE)
            for g in (
                None,
                '',
                'no boxes',
                '<loc_1><loc_2>',
                '<loc_500><loc_0><loc_1><loc_1>',
                '<loc_9><loc_9><loc_1><loc_1>',
            )
        ],
    )
    res = metric.compute_metrics(metric.results)
    assert res['ap'] == 0.0 and res['num_missing'] == 6
    assert res['num_detections'] == 0
    # no ground truth at all: pycocotools' -1
    res = COCOBoxMetric.calculate(
        [dict(bboxes=[[0, 0, 1, 1]], scores=[1])], [dict(bboxes=np.zeros((0, 4)))]
    )
    assert res['ap'] == -1.0
    captured = capsys.readouterr()
    assert captured.out == '' and captured.err == ''
    with pytest.raises(ValueError, match='2 predictions for 1 images'):
        COCOBoxMetric.calculate([{}, {}], [{}])


def test_evaluator_prefix():
    cfg = dict(type='COCOBoxMetric', box_coder=dict(type='BinBoxCoder'))
    assert isinstance(METRICS.build(cfg), COCOBoxMetric)
    coder = BinBoxCoder(1000)
    samples = []
    for boxes in ([[10, 10, 50, 40]], [[0, 0, 96, 96], [20, 30, 40, 50]]):
        s = VLDataSample(metainfo=dict(img_shape=(96, 96)))
        s.gt_bboxes = np.array(boxes, np.float32)
        s.pred_text = ' '.join(''.join(coder.encode(b, (96, 96))) for b in boxes)
        samples.append(s)
    evaluator = Evaluator(dict(cfg, print_summary=True))
    evaluator.process(samples)
    res = evaluator.evaluate(2)
    assert {
        'coco/ap',
        'coco/ap50',
        'coco/ap75',
        'coco/num_detections',
        'coco/num_missing',
        'coco/unknown_names',
    } == set(res)
    assert res['coco/ap50'] == 100.0
    assert res['coco/ap'] > 90
