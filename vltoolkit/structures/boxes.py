"""Box operations, once: conversion, area, IoU, clipping, resizing.

Boxes are ``[x1, y1, x2, y2]`` in continuous pixel coordinates (``x2 = x +
w``, no +1), the convention of COCO's ``[x, y, w, h]`` and of pycocotools'
IoU. Every function takes an array, a tensor or nested lists of shape
``[K, 4]`` (or one ``[4]`` box) and returns numpy arrays.
"""

from typing import Sequence

import numpy as np

__all__ = [
    'as_boxes',
    'xywh_to_xyxy',
    'xyxy_to_xywh',
    'box_area',
    'box_iou_paired',
    'clip_boxes',
    'resize_boxes',
]


def as_boxes(boxes, dtype=np.float32) -> np.ndarray:
    """``boxes`` as a ``[K, 4]`` array of ``dtype`` (``None`` and empty
    inputs give ``[0, 4]``).

    Example:
        >>> as_boxes([1, 2, 3, 4]).tolist()
        [[1.0, 2.0, 3.0, 4.0]]
    """
    if boxes is None:
        return np.zeros((0, 4), dtype)
    if hasattr(boxes, 'detach'):  # a torch tensor
        boxes = boxes.detach().cpu().numpy()
    out = np.asarray(boxes, dtype=dtype)
    if out.size == 0:
        return out.reshape(0, 4)
    if out.shape == (4,):
        out = out[None]
    if out.ndim != 2 or out.shape[1] != 4:
        raise ValueError(f'boxes must be [K, 4] (x1, y1, x2, y2), got shape {tuple(out.shape)}')
    return out


def xywh_to_xyxy(boxes) -> np.ndarray:
    """COCO ``[x, y, w, h]`` -> ``[x1, y1, x2, y2]`` (float64).

    Example:
        >>> xywh_to_xyxy([10, 20, 5, 8]).tolist()
        [[10.0, 20.0, 15.0, 28.0]]
    """
    b = as_boxes(boxes, np.float64).copy()
    b[:, 2:] += b[:, :2]
    return b


def xyxy_to_xywh(boxes) -> np.ndarray:
    """``[x1, y1, x2, y2]`` -> COCO ``[x, y, w, h]`` (float64)."""
    b = as_boxes(boxes, np.float64).copy()
    b[:, 2:] -= b[:, :2]
    return b


def box_area(boxes) -> np.ndarray:
    """``max(x2 - x1, 0) * max(y2 - y1, 0)`` per box (float64, no +1)."""
    b = as_boxes(boxes, np.float64)
    return np.clip(b[:, 2] - b[:, 0], 0, None) * np.clip(b[:, 3] - b[:, 1], 0, None)


def box_iou_paired(boxes1, boxes2) -> np.ndarray:
    """IoU of ``boxes1[i]`` with ``boxes2[i]``:
    ``area(a ∩ b) / (area(a) + area(b) - area(a ∩ b))``.

    The IoU is 0 where the union is empty, and NaN boxes give 0.

    Example:
        >>> box_iou_paired([[0, 0, 10, 10], [0, 0, 10, 10]],
        ...                [[5, 0, 15, 10], [20, 20, 30, 30]]).round(4)
        array([0.3333, 0.    ])
    """
    a, b = as_boxes(boxes1, np.float64), as_boxes(boxes2, np.float64)
    if a.shape != b.shape:
        raise ValueError(f'{len(a)} boxes paired with {len(b)}')
    iw = np.minimum(a[:, 2], b[:, 2]) - np.maximum(a[:, 0], b[:, 0])
    ih = np.minimum(a[:, 3], b[:, 3]) - np.maximum(a[:, 1], b[:, 1])
    inter = np.clip(iw, 0, None) * np.clip(ih, 0, None)
    union = box_area(a) + box_area(b) - inter
    iou = np.zeros(len(a), dtype=np.float64)
    ok = (union > 0) & np.isfinite(union) & np.isfinite(inter)
    iou[ok] = inter[ok] / union[ok]
    return iou


def clip_boxes(boxes, img_wh: Sequence[float]) -> np.ndarray:
    """Clip x to ``[0, w]`` and y to ``[0, h]``; keeps the input's float
    dtype (float32 for lists).

    Example:
        >>> clip_boxes([[-1, 5, 12, 30]], (10, 20)).tolist()
        [[0.0, 5.0, 10.0, 20.0]]
    """
    dtype = getattr(boxes, 'dtype', np.float32)
    b = as_boxes(boxes, dtype if np.issubdtype(dtype, np.floating) else np.float32).copy()
    w, h = img_wh
    b[:, 0::2] = b[:, 0::2].clip(0, w)
    b[:, 1::2] = b[:, 1::2].clip(0, h)
    return b


def resize_boxes(boxes, scale_wh: Sequence[float]) -> np.ndarray:
    """Scale x by ``scale_wh[0]`` and y by ``scale_wh[1]`` (float32).

    Example:
        >>> resize_boxes([[10, 10, 20, 40]], (0.5, 2)).tolist()
        [[5.0, 20.0, 10.0, 80.0]]
    """
    sx, sy = scale_wh
    return as_boxes(boxes, np.float32) * np.array([sx, sy, sx, sy], np.float32)
