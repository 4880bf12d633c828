"""Draw one evaluated sample on its original image (``--show-dir``,
``analyze_results.py``): ground truth vs predicted boxes and the verdict."""

import os.path as osp

import mmcv
import numpy as np


def draw_evaluated_sample(
    visualizer, sample: dict, box_coder=None, verdict: dict = None, out_file: str = None
) -> np.ndarray:
    """Draw ``sample`` (a dict with ``img_path``, ``img_shape``,
    ``scale_factor``, ``gt_bboxes`` in the model's image, ``prompt``,
    ``target_text``, ``pred_text``; meta keys at the top level or under
    ``meta``) on its original image, boxes mapped back by ``scale_factor``."""
    from vltoolkit.evaluation.parsers.answer import boxes_with_phrases

    meta = dict(sample.get('meta') or {})
    meta.update({k: v for k, v in sample.items() if k != 'meta'})
    img = mmcv.imread(meta['img_path'], channel_order='rgb')
    sx, sy = meta.get('scale_factor', (1.0, 1.0))
    scale = np.array([sx, sy, sx, sy], np.float32)
    gt = meta.get('gt_answer_bboxes')
    if gt is None or not len(np.asarray(gt).reshape(-1)):
        gt = meta.get('gt_bboxes')
    if gt is not None:
        gt = np.asarray(gt, np.float32).reshape(-1, 4) / scale
    preds = []
    if box_coder is not None and meta.get('img_shape') is not None:
        h, w = meta['img_shape'][:2]
        preds = boxes_with_phrases(meta.get('pred_text'), box_coder, (w, h), (sx, sy))
    stem = osp.splitext(osp.basename(meta['img_path']))[0]
    return visualizer.add_datasample(
        stem, img, meta, out_file=out_file, gt_boxes=gt, pred_boxes=preds, verdict=verdict
    )
