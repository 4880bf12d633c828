"""Box operations against pycocotools and hand-computed values."""

import numpy as np
import pytest
import torch
from pycocotools import mask as mask_utils

from vltoolkit.structures import (
    as_boxes,
    box_area,
    box_iou_paired,
    clip_boxes,
    resize_boxes,
    xywh_to_xyxy,
    xyxy_to_xywh,
)


def test_iou_matches_pycocotools():
    rng = np.random.default_rng(0)
    xy = rng.uniform(0, 50, size=(200, 2))
    wh = rng.uniform(0, 40, size=(200, 2))
    a = np.concatenate([xy, xy + wh], 1)
    b = a + rng.uniform(-20, 20, size=a.shape)
    b[:, 2:] = np.maximum(b[:, 2:], b[:, :2])  # keep b valid
    ours = box_iou_paired(a, b)
    ref = np.array(
        [
            mask_utils.iou([xyxy_to_xywh(a[i])[0].tolist()], [xyxy_to_xywh(b[i])[0].tolist()], [0])[
                0, 0
            ]
            for i in range(len(a))
        ]
    )
    np.testing.assert_allclose(ours, ref, rtol=1e-9, atol=1e-12)


def test_iou_degenerate_cases():
    iou = box_iou_paired(
        [[0, 0, 0, 0], [0, 0, np.nan, 5], [0, 0, 2, 2]], [[0, 0, 0, 0], [0, 0, 5, 5], [1, 1, 3, 3]]
    )
    np.testing.assert_allclose(iou, [0.0, 0.0, 1 / 7])
    with pytest.raises(ValueError, match='2 boxes paired with 1'):
        box_iou_paired([[0, 0, 1, 1]] * 2, [[0, 0, 1, 1]])


def test_conversions_round_trip_and_area():
    xywh = np.array([[10, 20, 5, 8], [0, 0, 0, 3]], np.float64)
    xyxy = xywh_to_xyxy(xywh)
    assert xyxy.tolist() == [[10, 20, 15, 28], [0, 0, 0, 3]]
    np.testing.assert_array_equal(xyxy_to_xywh(xyxy), xywh)
    np.testing.assert_array_equal(box_area(xyxy), [40, 0])
    np.testing.assert_array_equal(box_area([[5, 5, 1, 1]]), [0])  # inverted: no area


def test_clip_resize_and_shapes():
    boxes = np.array([[-3, 4, 12, 25]], np.float32)
    clipped = clip_boxes(boxes, (10, 20))
    assert clipped.dtype == np.float32 and clipped.tolist() == [[0, 4, 10, 20]]
    assert boxes.tolist() == [[-3, 4, 12, 25]]  # input untouched
    assert resize_boxes(torch.tensor([[2.0, 4.0, 6.0, 8.0]]), (0.5, 0.25)).tolist() == [
        [1, 1, 3, 2]
    ]
    assert as_boxes(None).shape == (0, 4) and as_boxes([]).shape == (0, 4)
    with pytest.raises(ValueError, match=r'\[K, 4\]'):
        as_boxes([1, 2, 3, 4, 5, 6, 7, 8])
