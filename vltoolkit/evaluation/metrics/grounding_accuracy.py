r"""Visual grounding (referring expression comprehension) accuracy.

For sample :math:`i` with predicted box :math:`\hat b_i` (the first box
decoded from the generated text) and ground-truth box :math:`b_i`, both
``[x1, y1, x2, y2]`` in continuous pixels (no +1)::

    IoU_i      = area(b_i ∩ b̂_i) / area(b_i ∪ b̂_i)     (0 when no box was decoded)
    Acc@0.5    = 100 * mean_i [IoU_i >= 0.5]
    mIoU       = 100 * mean_i IoU_i

Acc@0.5 is the usual RefCOCO number (OFA's ``_calculate_ap_score``,
mmpretrain's ``VisualGroundingMetric``).
"""

from typing import Dict, List, Optional, Sequence, Union

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.structures import BaseDataElement

from vltoolkit.registry import METRICS
from vltoolkit.structures import box_iou_paired
from vltoolkit.tokenization import build_box_coder

from .utils import LEFT_OUT, keeps_task, sample_field, scored, warn_if_no_task_matched


def sample_img_wh(sample) -> tuple:
    """``(w, h)`` from the sample's ``img_shape`` ((h, w), resized image)."""
    shape = sample_field(sample, 'img_shape')
    h, w = (float(v) for v in tuple(shape)[:2])
    return w, h


def _first_gt_box(sample) -> np.ndarray:
    gt = sample_field(sample, 'gt_answer_bboxes', None)
    if gt is None:
        gt = sample_field(sample, 'gt_bboxes')
    if hasattr(gt, 'detach'):
        gt = gt.detach().cpu().numpy()
    gt = np.asarray(gt, dtype=np.float64).reshape(-1, 4)
    if not len(gt):
        raise ValueError(
            'a grounding sample has an empty gt_bboxes '
            f"(sample {sample_field(sample, 'sample_idx', '?')})"
        )
    return gt[0]


@METRICS.register_module()
class GroundingAccuracy(BaseMetric):
    r"""Acc@IoU and mean IoU of the first box in each generated answer.

    ``process`` decodes the first box of ``pred_text`` with ``box_coder``
    (:meth:`~vltoolkit.tokenization.BaseBoxCoder.find_boxes`, in the
    sample's ``img_shape`` = (h, w), the resized image in which the target
    was encoded) and pairs it with ``gt_answer_bboxes[0]`` when the sample
    has it (e.g. HOI object localisation, whose ``gt_bboxes[0]`` is the
    person named in the prompt), else ``gt_bboxes[0]`` (packed in the same
    coordinates). IoU is invariant to scaling x and y, so the resized image
    gives the same IoU as the original one. An answer with no decodable box
    (garbage, ``None``, a truncated token run) is a miss with IoU 0 and is
    counted in ``num_missing``.

    .. math::

        \mathrm{Acc@}t = \frac{100}{N} \sum_i [\mathrm{IoU}_i \ge t],
        \qquad \mathrm{mIoU} = \frac{100}{N} \sum_i \mathrm{IoU}_i

    Args:
        box_coder (dict | BaseBoxCoder): the coder that wrote the targets.
        iou_thrs (Sequence[float]): thresholds ``t``; each gives a key
            ``acc_at_<t>`` with ``.`` written ``_`` (0.5 -> ``acc_at_0_5``).
        tasks (Sequence[str], optional): only score samples of these tasks
            (in a multi-task evaluator); ``None`` scores every sample.
        collect_device, prefix, collect_dir: see
            :class:`mmengine.evaluator.BaseMetric`.

    Returned metrics (prefixed ``grounding/``): ``acc_at_0_5``, ``miou``
    (percent), ``num_missing``, ``num_samples``. Per-sample IoUs of the last
    evaluation are kept in :attr:`last_ious`.

    Example:
        >>> metric = GroundingAccuracy(
        ...     box_coder=dict(type='BinBoxCoder', num_bins=11))
        >>> metric.process(None, [
        ...     dict(pred_text='<bin_0><bin_0><bin_5><bin_5>',
        ...          gt_bboxes=[[0, 0, 50, 50]], img_shape=(100, 100)),
        ...     dict(pred_text='<bin_0><bin_0><bin_5><bin_5>',
        ...          gt_bboxes=[[50, 50, 100, 100]], img_shape=(100, 100)),
        ...     dict(pred_text='no box here', gt_bboxes=[[0, 0, 10, 10]],
        ...          img_shape=(100, 100))])
        >>> m = metric.compute_metrics(metric.results)
        >>> m['acc_at_0_5'], m['miou'], m['num_missing'], m['num_samples']
        (33.33333333333333, 33.33333333333333, 1, 3)
    """

    default_prefix: Optional[str] = 'grounding'

    def __init__(
        self,
        box_coder,
        iou_thrs: Sequence[float] = (0.5,),
        tasks: Optional[Sequence[str]] = None,
        collect_device: str = 'cpu',
        prefix: Optional[str] = None,
        collect_dir: Optional[str] = None,
    ) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix, collect_dir=collect_dir)
        self.box_coder = build_box_coder(box_coder)
        self.iou_thrs = tuple(float(t) for t in iou_thrs)
        self.tasks = tuple(tasks) if tasks is not None else None
        self.last_ious: Optional[np.ndarray] = None

    def process(self, data_batch, data_samples: Sequence[Union[dict, BaseDataElement]]) -> None:
        """Decode the first predicted box and take the first gt box."""
        for sample in data_samples:
            if not keeps_task(self, sample):
                self.results.append(LEFT_OUT)  # keeps ranks aligned (utils.scored)
                continue
            text = sample_field(sample, 'pred_text', None)
            boxes = (
                self.box_coder.find_boxes(text, sample_img_wh(sample))
                if isinstance(text, str)
                else []
            )
            pred = boxes[0] if boxes else np.full(4, np.nan)
            self.results.append(dict(pred=np.asarray(pred, np.float64), gt=_first_gt_box(sample)))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Score the processed results with :meth:`calculate`."""
        results = scored(results)
        warn_if_no_task_matched(self, results)
        preds = [r['pred'] for r in results]
        gts = np.array([r['gt'] for r in results], dtype=np.float64).reshape(-1, 4)
        res = self.calculate(preds, gts, self.iou_thrs)
        self.last_ious = res.pop('ious')
        return res

    @staticmethod
    def calculate(pred_boxes, gt_boxes, iou_thrs: Sequence[float] = (0.5,)) -> dict:
        """Acc@t and mIoU of paired boxes.

        Args:
            pred_boxes: ``N`` predicted xyxy boxes: an ``[N, 4]`` array or a
                sequence whose items are a box or ``None``; ``None`` or a
                NaN row is a missing prediction (IoU 0).
            gt_boxes: ``[N, 4]`` ground-truth xyxy boxes.
            iou_thrs (Sequence[float]): the accuracy thresholds.

        Returns:
            dict: ``acc_at_<t>`` and ``miou`` (percent, 0 for N = 0),
            ``num_missing``, ``num_samples`` and ``ious`` (float array [N]).

        Example:
            >>> res = GroundingAccuracy.calculate(
            ...     [[0, 0, 10, 10], None, [0, 0, 10, 20]],
            ...     [[0, 0, 10, 10], [0, 0, 5, 5], [0, 0, 10, 10]])
            >>> res['acc_at_0_5'], res['miou'], res['num_missing']
            (66.66666666666666, 50.0, 1)
        """
        gts = np.asarray(gt_boxes, dtype=np.float64).reshape(-1, 4)
        preds = np.full((len(gts), 4), np.nan)
        if len(pred_boxes) != len(gts):
            raise ValueError(f'{len(pred_boxes)} predicted boxes for {len(gts)} ground-truth boxes')
        for i, box in enumerate(pred_boxes):
            if box is not None:
                preds[i] = np.asarray(box, dtype=np.float64).reshape(4)
        missing = ~np.isfinite(preds).all(axis=1)
        ious = box_iou_paired(preds, gts)
        ious[missing] = 0.0
        n = len(gts)
        out = {}
        for t in iou_thrs:
            key = 'acc_at_' + f'{t:g}'.replace('.', '_')
            out[key] = float((ious >= t).mean() * 100) if n else 0.0
        out['miou'] = float(ious.mean() * 100) if n else 0.0
        out['num_missing'] = int(missing.sum())
        out['num_samples'] = int(n)
        out['ious'] = ious
        return out
