"""Boxes written as numbers (Qwen2.5-VL, Qwen3-VL) against supervision's
reference parsers (``Detections.from_vlm``) on random answers."""

import json
import random
import zlib

import numpy as np
import pytest

from vltoolkit.tokenization import (
    BaseBoxCoder,
    Qwen2_5VLBoxCoder,
    Qwen3VLBoxCoder,
    TextBoxCoder,
    build_box_coder,
)

sv = pytest.importorskip(
    'supervision', reason='supervision is a test extra (requirements/tests.txt)'
)
qwen_vl_utils = pytest.importorskip('qwen_vl_utils', reason='qwen-vl-utils is a test extra')

N_ANSWERS = 2000
WORDS = [
    'person',
    'red cup',
    'dog',
    'the man on the left',
    'sports ball',
    'a "quoted" thing',
    'éclair',
]


def _item_text(rng, numbers, label, style):
    if style == 'compact':
        return json.dumps({'bbox_2d': numbers, 'label': label}, ensure_ascii=False)
    if style == 'pretty':
        return '\t' + json.dumps({'bbox_2d': numbers, 'label': label}, ensure_ascii=False)
    if style == 'python':  # single quotes: only Python literal syntax reads it
        return repr({'bbox_2d': numbers, 'label': label})
    raise AssertionError(style)


def _random_numbers(rng, cw, ch):
    x1, x2 = sorted(rng.randint(0, cw) for _ in range(2))
    y1, y2 = sorted(rng.randint(0, ch) for _ in range(2))
    r = rng.random()
    if r < 0.03:  # missing a number (the reference raises on ragged lists)
        return [x1, y1, x2]
    if r < 0.06:
        return [str(x1), str(y1), str(x2), str(y2)]  # numeric strings
    if r < 0.09:
        return [x1 + 0.5, y1 + 0.25, float(x2), float(y2)]
    return [x1, y1, x2, y2]


def random_answer(rng, cw, ch):
    """A Qwen-style answer: 0-5 objects, fenced or not, compact or pretty,
    with prose, missing keys, truncation or plain garbage."""
    if rng.random() < 0.05:
        return ''.join(rng.choice('[]{}",: abc123\n`') for _ in range(rng.randint(0, 60)))
    style = rng.choice(['compact', 'compact', 'pretty', 'python'])
    items = []
    for _ in range(rng.randint(0, 5)):
        numbers = _random_numbers(rng, cw, ch)
        label = rng.choice(WORDS)
        item = {'bbox_2d': numbers, 'label': label}
        r = rng.random()
        if r < 0.04:
            item.pop('label')
        elif r < 0.08:
            item.pop('bbox_2d')
        if len(item) == 2:
            items.append(_item_text(rng, numbers, label, style))
        else:
            items.append(repr(item) if style == 'python' else json.dumps(item))
    sep = ',\n' if style == 'pretty' else ', '
    body = '[' + ('\n' if style == 'pretty' else '') + sep.join(items)
    body += ('\n' if style == 'pretty' else '') + ']'
    if rng.random() < 0.5:
        body = '```json\n' + body + '\n```'
    if rng.random() < 0.15:
        body = 'Here are the boxes: ' + body
    if rng.random() < 0.2:  # cut off (max_new_tokens)
        body = body[: rng.randint(0, len(body))]
    return body


def _reference(vlm, text, img_wh, input_wh):
    kwargs = dict(resolution_wh=img_wh)
    if vlm is sv.VLM.QWEN_2_5_VL:
        kwargs['input_wh'] = input_wh
    try:
        det = sv.Detections.from_vlm(vlm, text, **kwargs)
    except Exception as err:  # the reference raises on ragged / odd bbox lists
        return err
    xyxy = np.asarray(det.xyxy, np.float64).reshape(-1, 4)
    return xyxy[np.isfinite(xyxy).all(1)]  # documented: non-finite boxes are dropped


CASES = [
    (Qwen2_5VLBoxCoder(), 'QWEN_2_5_VL'),
    (Qwen2_5VLBoxCoder(min_pixels=64 * 28 * 28, max_pixels=256 * 28 * 28), 'QWEN_2_5_VL'),
    (Qwen3VLBoxCoder(), 'QWEN_3_VL'),
]


@pytest.mark.parametrize('coder,vlm_name', CASES, ids=['qwen2.5', 'qwen2.5-small', 'qwen3'])
def test_find_boxes_equals_supervision(coder, vlm_name):
    vlm = getattr(sv.VLM, vlm_name)
    rng = random.Random(
        zlib.crc32(vlm_name.encode()) % 1000 + coder.config().get('max_pixels', 0) % 97
    )
    mismatches, compared, reference_raised = [], 0, 0
    while compared < N_ANSWERS and compared + reference_raised < 2 * N_ANSWERS:
        img_wh = (rng.randint(32, 3000), rng.randint(32, 3000))
        if isinstance(coder, Qwen2_5VLBoxCoder):
            h, w = qwen_vl_utils.smart_resize(
                img_wh[1],
                img_wh[0],
                factor=coder.factor,
                min_pixels=coder.min_pixels,
                max_pixels=coder.max_pixels,
            )
            input_wh = (w, h)
            assert coder.resized_wh(img_wh) == input_wh
        else:
            input_wh = (1000, 1000)
        text = random_answer(rng, *input_wh)
        ours = np.asarray(coder.find_boxes(text, img_wh), np.float64).reshape(-1, 4)
        ref = _reference(vlm, text, img_wh, input_wh)
        if isinstance(ref, Exception):
            reference_raised += 1
            continue
        compared += 1
        if ours.shape != ref.shape or not np.allclose(ours, ref, rtol=0, atol=1e-9):
            mismatches.append((text, ours.tolist(), ref.tolist()))
    # N_ANSWERS compared answers; those the reference raises on come on top
    assert compared == N_ANSWERS, (compared, reference_raised)
    assert not mismatches, f'{len(mismatches)} of {compared}: {mismatches[:3]}'


@pytest.mark.parametrize('coder', [c for c, _ in CASES], ids=['qwen2.5', 'qwen2.5-small', 'qwen3'])
def test_encode_then_find_boxes_round_trips(coder):
    rng = np.random.default_rng(0)
    for _ in range(500):
        w, h = (int(v) for v in rng.integers(16, 2500, size=2))
        x1, x2 = np.sort(rng.uniform(0, w, 2))
        y1, y2 = np.sort(rng.uniform(0, h, 2))
        box = [x1, y1, x2, y2]
        text = coder.encode(box, (w, h), label='dog')
        ((label, found),) = coder.find_labeled_boxes(text, (w, h))
        cw, ch = coder.coord_wh((w, h))
        # half a written unit, in pixels, per axis
        tol = 0.5 * np.array([w / cw, h / ch, w / cw, h / ch]) + 1e-9
        assert label == 'dog'
        assert (np.abs(found - np.asarray(box)) <= tol).all(), (box, found, text)


def test_format_and_test_vectors():
    q25, q3 = Qwen2_5VLBoxCoder(), Qwen3VLBoxCoder(fence=False)
    assert q25.resized_wh((640, 480)) == (644, 476)
    assert q25.encode([100, 50, 300, 400], (640, 480), 'dog') == (
        '```json\n[{"bbox_2d": [101, 50, 302, 397], "label": "dog"}]\n```'
    )
    assert (
        q3.encode([100, 50, 300, 400], (640, 480))
        == '[{"bbox_2d": [156, 104, 469, 833], "label": ""}]'
    )
    two = q3.format_answer([[0, 0, 64, 48], [320, 240, 640, 480]], (640, 480), ['a', 'b'])
    assert [lab for lab, _ in q3.find_labeled_boxes(two, (640, 480))] == ['a', 'b']
    np.testing.assert_allclose(q3.find_boxes(two, (640, 480))[1], [320, 240, 640, 480])
    # the coordinates never leave [0, scale]
    assert q3.encode_numbers([0, 0, 640, 480], (640, 480)) == [0, 0, 1000, 1000]


def test_swapped_corners_are_sorted_as_the_reference_does():
    coder = Qwen3VLBoxCoder()
    found = coder.find_boxes('[{"bbox_2d": [500, 2, 100, 4], "label": "x"}]', (1000, 1000))
    np.testing.assert_allclose(found, [[100, 2, 500, 4]])


def test_qwen2_box_token_form():
    text = (
        '<|object_ref_start|>the dog<|object_ref_end|><|box_start|>(156,104),(469,833)<|box_end|>'
        ' and <|box_start|>(0, 0), (500, 500)<|box_end|>'
    )
    found = Qwen3VLBoxCoder().find_labeled_boxes(text, (640, 480))
    assert [lab for lab, _ in found] == ['the dog', '']
    np.testing.assert_allclose(found[0][1], [99.84, 49.92, 300.16, 399.84])
    np.testing.assert_allclose(found[1][1], [0, 0, 320, 240])


@pytest.mark.parametrize(
    'text',
    [
        None,
        '',
        'no box',
        '[',
        '[{]',
        '[{"bbox_2d": [1, 2, 3], "label": "x"}]',
        '[{"bbox_2d": [[1, 2], [3, 4]], "label": "x"}]',
        '[{"bbox_2d": [NaN, 2, 3, 4], "label": "x"}]',
        '[{"bbox_2d": "1, 2, 3, 4", "label": "x"}]',
        '[' * 5000,
        '<|box_start|>(1,2),(3<|box_end|>',
    ],
)
def test_garbage_gives_fewer_boxes_never_an_exception(text):
    for coder in (Qwen2_5VLBoxCoder(), Qwen3VLBoxCoder()):
        assert coder.find_boxes(text, (640, 480)) == []


def test_contract_and_config_round_trip():
    for coder in (Qwen2_5VLBoxCoder(max_pixels=28 * 28 * 1280), Qwen3VLBoxCoder(fence=False)):
        assert isinstance(coder, BaseBoxCoder) and isinstance(coder, TextBoxCoder)
        assert coder.writes_location_tokens is False and coder.location_tokens == []
        assert build_box_coder(coder.config()) == coder
        with pytest.raises(ValueError, match='outside the image'):
            coder.encode([0, 0, 700, 10], (640, 480))
        with pytest.raises(NotImplementedError, match='no location tokens'):
            coder.distance(0, 1)
    with pytest.raises(ValueError, match='min_pixels'):
        Qwen2_5VLBoxCoder(min_pixels=10, max_pixels=5)


def test_metrics_and_answers_read_text_boxes():
    from vltoolkit.evaluation.metrics import COCOBoxMetric
    from vltoolkit.evaluation.parsers.answer import boxes_with_phrases

    coder = Qwen3VLBoxCoder()
    text = coder.format_answer([[0, 0, 64, 48], [320, 240, 640, 480]], (640, 480), ['dog', 'cat'])
    found = boxes_with_phrases(text, coder, (640, 480), scale_factor=(2.0, 2.0))
    assert found == [
        dict(phrase='dog', box=[0.0, 0.0, 32.0, 24.0]),
        dict(phrase='cat', box=[160.0, 120.0, 320.0, 240.0]),
    ]
    metric = COCOBoxMetric(box_coder=coder.config(), classes=['dog', 'cat', 'bird'])
    boxes, labels, unknown = metric.parse(text.replace('"cat"', '"horse"'), (640, 480))
    assert labels.tolist() == [0] and unknown == 1
    np.testing.assert_allclose(boxes, [[0, 0, 64, 48]])
