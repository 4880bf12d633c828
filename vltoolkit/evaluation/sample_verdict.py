"""Is one predicted sample right? The per-sample reading of the metrics.

- a sample with a box answer (``gt_answer_bboxes``): right when the first
  box of ``pred_text`` has IoU >= ``iou_thr`` with the ground truth (as
  ``GroundingAccuracy``); score = that IoU (0 when no box was decoded);
- a sample with ``gt_relations``: right when the parsed relation set equals
  the ground-truth set exactly (as a perfect row of ``MacroF1``);
  score = the Jaccard index of the two sets (1 for two empty sets);
- otherwise, with a ``target_text``: right when the answer equals it after
  whitespace and case normalisation; score 1 or 0;
- nothing to compare: ``right=None``.
"""

from typing import Optional

import numpy as np

from .metrics.grounding_accuracy import box_iou_paired, sample_img_wh
from .metrics.utils import sample_field


def _norm(text) -> str:
    return ' '.join(str(text or '').lower().split())


def judge_sample(sample, box_coder=None, relation_parser=None, iou_thr: float = 0.5) -> dict:
    """``dict(right=bool | None, score=float, kind='box'|'relations'|'text'|None,
    detail=str)`` for one predicted sample (see the module docstring)."""
    pred = sample_field(sample, 'pred_text', None)
    gt_box = sample_field(sample, 'gt_answer_bboxes', None)
    if gt_box is not None and len(np.asarray(gt_box).reshape(-1, 4)) and box_coder is not None:
        gt = np.asarray(gt_box, np.float64).reshape(-1, 4)[0]
        boxes = box_coder.find_boxes(pred, sample_img_wh(sample))
        iou = float(box_iou_paired([boxes[0]], [gt])[0]) if boxes else 0.0
        return dict(
            right=iou >= iou_thr,
            score=iou,
            kind='box',
            detail=f'IoU {iou:.2f}' if boxes else 'no box decoded',
        )
    gt_rel = sample_field(sample, 'gt_relations', None)
    if gt_rel is not None and relation_parser is not None:
        gt_set = {gt_rel} if isinstance(gt_rel, str) else set(gt_rel)
        pred_set, _ = relation_parser.parse(pred)
        union = gt_set | pred_set
        score = len(gt_set & pred_set) / len(union) if union else 1.0
        return dict(
            right=pred_set == gt_set,
            score=score,
            kind='relations',
            detail=f'pred {sorted(pred_set)} vs gt {sorted(gt_set)}',
        )
    target = sample_field(sample, 'target_text', None)
    if target is not None:
        right = _norm(pred) == _norm(target)
        return dict(right=right, score=float(right), kind='text', detail='')
    return dict(right=None, score=0.0, kind=None, detail='')


def order_by_verdict(verdicts, order: str = 'worst', seed: Optional[int] = 0):
    """Indices of ``verdicts`` in the order to show them: ``'worst'`` (lowest
    score first), ``'best'``, ``'random'`` (seeded) or ``'first'`` (as is)."""
    idx = list(range(len(verdicts)))
    if order == 'first':
        return idx
    if order == 'random':
        return list(np.random.default_rng(seed).permutation(len(idx)))
    if order not in ('worst', 'best'):
        raise ValueError(f"show order {order!r}: use worst, best, random or first")
    return sorted(idx, key=lambda i: verdicts[i]['score'], reverse=order == 'best')
