"""COCO box AP of answers that hold several boxes (detection as text).

A generated answer such as ``circle<bin_1><bin_2><bin_30><bin_40> square
<bin_50><bin_5><bin_90><bin_60>`` becomes a list of detections; the score of
a detection falls with its position in the text (``1 / (k + 1)`` for the
k-th box), since a sequence model writes its most confident boxes first.
AP, AP50 and AP75 are pycocotools' ``COCOeval`` (``iouType='bbox'``,
maxDets 100) on ground truth and detections built in memory.
"""

import contextlib
import io
import re
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from vltoolkit.registry import METRICS
from vltoolkit.structures import as_boxes, xyxy_to_xywh
from vltoolkit.tokenization import BoxDecodeError, build_box_coder

from .grounding_accuracy import sample_field, sample_img_wh

_TAG = r'<[^<>\s]*>'


def _normalize_name(text: str) -> str:
    text = text.lower().replace('_', ' ')
    text = re.sub(r'[^\w\s]', ' ', text)
    return ' '.join(text.split())


def _boxes(x) -> np.ndarray:
    return as_boxes(x, np.float64)


def _coco_gt(gts, cat_ids) -> COCO:
    images, anns = [], []
    for i, gt in enumerate(gts):
        images.append(dict(id=i + 1))
        boxes = _boxes(gt['bboxes'])
        labels = np.asarray(gt.get('labels', np.zeros(len(boxes))), np.int64).reshape(-1)
        for box, label in zip(xyxy_to_xywh(boxes), labels):
            # ids start at 1: COCOeval reads id 0 as "unmatched"
            anns.append(
                dict(
                    id=len(anns) + 1,
                    image_id=i + 1,
                    category_id=int(label) + 1,
                    iscrowd=0,
                    bbox=box.tolist(),
                    area=float(box[2] * box[3]),
                )
            )
    coco = COCO()
    coco.dataset = dict(images=images, annotations=anns, categories=[dict(id=c) for c in cat_ids])
    coco.createIndex()
    return coco


@METRICS.register_module()
class COCOBoxMetric(BaseMetric):
    """COCO box AP / AP50 / AP75 of boxes decoded from generated text.

    Two ways to read an answer:

    * ``classes=None`` (class-agnostic): every box that ``box_coder`` finds
      in ``pred_text`` is a detection of one category; the ground truth is
      ``gt_bboxes`` ([K, 4], xyxy in ``img_shape`` pixels).
    * ``classes=[...]``: the answer is ``name<loc>...<loc> name<loc>...``;
      each box takes the nearest class name written before it (normalised:
      lower case, ``_`` and punctuation as spaces; a phrase such as ``a red
      circle`` matches the class whose name ends it, the longest one). Boxes
      with no known name are dropped and counted in ``unknown_names``. The
      ground-truth classes are ``gt_labels`` (indices into ``classes``, or
      class names).

    Boxes are decoded in each sample's ``img_shape`` (h, w); an answer with
    no box is an image without detections (``num_missing``).

    Args:
        box_coder (dict | BaseBoxCoder): the coder of the location tokens.
        classes (Sequence[str], optional): class names; default
            class-agnostic.
        gt_label_key (str): the sample key of the ground-truth classes when
            ``classes`` is set. Default ``'gt_labels'``.
        print_summary (bool): log pycocotools' 12-line summary after each
            evaluation. Default False.
        collect_device, prefix, collect_dir: see
            :class:`mmengine.evaluator.BaseMetric`.

    Returned metrics (prefixed ``coco/``): ``ap``, ``ap50``, ``ap75``
    (percent; -1 when no category has a ground-truth box, as pycocotools),
    ``num_detections``, ``num_missing``, ``unknown_names``.

    Example:
        >>> metric = COCOBoxMetric(box_coder=dict(type='BinBoxCoder',
        ...                                       num_bins=11))
        >>> metric.process(None, [dict(
        ...     pred_text='<bin_0><bin_0><bin_5><bin_5> <bin_5><bin_5><bin_9><bin_9>',
        ...     gt_bboxes=[[0, 0, 50, 50], [50, 50, 90, 90]],
        ...     img_shape=(100, 100))])
        >>> metric.compute_metrics(metric.results)['ap']
        100.0
    """

    default_prefix: Optional[str] = 'coco'

    def __init__(
        self,
        box_coder,
        classes: Optional[Sequence[str]] = None,
        gt_label_key: str = 'gt_labels',
        print_summary: bool = False,
        collect_device: str = 'cpu',
        prefix: Optional[str] = None,
        collect_dir: Optional[str] = None,
    ) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix, collect_dir=collect_dir)
        self.box_coder = build_box_coder(box_coder)
        self.classes = tuple(classes) if classes is not None else None
        self.gt_label_key = gt_label_key
        self.print_summary = print_summary
        if self.classes is not None:
            names = [_normalize_name(c) for c in self.classes]
            if len(set(names)) != len(names) or '' in names:
                raise ValueError(
                    'class names must be non-empty and distinct '
                    f'after normalisation, got {self.classes}'
                )
            self._name_to_label = {n: i for i, n in enumerate(names)}
            # the coder's own token pattern (literal text around the index)
            loc = self.box_coder._token_pattern.pattern
            self._item_re = re.compile(rf'(?P<loc>{loc})|(?P<tag>{_TAG})')

    # ---------------------------------------------------------------- parsing
    def _match_name(self, text: str) -> int:
        """The label of a name or phrase, -1 when no class matches."""
        name = _normalize_name(text)
        if name in self._name_to_label:
            return self._name_to_label[name]
        best = None
        for cls, label in self._name_to_label.items():
            if name.endswith(' ' + cls) and (best is None or len(cls) > len(best[0])):
                best = (cls, label)
        return best[1] if best else -1

    def parse(self, text, img_wh):
        """``(boxes [N, 4], labels [N], unknown)`` of one answer.

        Class-agnostic: all boxes of ``find_boxes``, label 0. With
        ``classes``: consecutive location tokens (whitespace between them)
        form a run cut into boxes; each box takes the last non-empty text
        (not bare punctuation) before its run; a box with no known name
        is dropped and counted in ``unknown``.
        """
        if not isinstance(text, str):
            return np.zeros((0, 4)), np.zeros(0, np.int64), 0
        if self.classes is None:
            boxes = self.box_coder.find_boxes(text, img_wh)
            return _boxes(boxes), np.zeros(len(boxes), np.int64), 0
        if not getattr(self.box_coder, 'writes_location_tokens', True):
            return self._parse_labeled(text, img_wh)
        n = self.box_coder.num_tokens_per_box
        boxes, labels, unknown = [], [], 0
        label, run, pos = None, [], 0

        def flush():
            nonlocal unknown
            for start in range(0, len(run) - n + 1, n):
                try:
                    box = self.box_coder.decode(run[start : start + n], img_wh)
                except BoxDecodeError:
                    continue
                if label is None or label < 0:
                    unknown += 1
                else:
                    boxes.append(box)
                    labels.append(label)
            run.clear()

        for m in self._item_re.finditer(text):
            between = text[pos : m.start()]
            pos = m.end()
            if between.strip():
                flush()  # text ends a run; a name (not bare punctuation)
                if _normalize_name(between):  # replaces the current one
                    label = self._match_name(between)
            if m.group('loc') is not None:
                run.append(m.group('loc'))
            else:
                flush()  # another tag (</object>, <phrase>) ends a run
        flush()
        return _boxes(boxes), np.asarray(labels, np.int64), unknown

    def _parse_labeled(self, text, img_wh):
        """``parse`` for answers that name each box (JSON ``label``)."""
        boxes, labels, unknown = [], [], 0
        for name, box in self.box_coder.find_labeled_boxes(text, img_wh):
            label = self._match_name(name)
            if label < 0:
                unknown += 1
            else:
                boxes.append(box)
                labels.append(label)
        return _boxes(boxes), np.asarray(labels, np.int64), unknown

    def _gt_labels(self, sample, num):
        if self.classes is None:
            return np.zeros(num, np.int64)
        raw = sample_field(sample, self.gt_label_key)
        if hasattr(raw, 'detach'):
            raw = raw.detach().cpu().numpy()
        labels = []
        for v in np.asarray(raw, dtype=object).reshape(-1):
            if isinstance(v, str):
                label = self._name_to_label.get(_normalize_name(v))
                if label is None:
                    raise ValueError(
                        f'unknown class name {v!r} in '
                        f'{self.gt_label_key}; classes: '
                        f'{", ".join(self.classes)}'
                    )
            else:
                label = int(v)
                if not 0 <= label < len(self.classes):
                    raise ValueError(
                        f'{self.gt_label_key} value {label} is '
                        f'not an index into {len(self.classes)} '
                        'classes'
                    )
            labels.append(label)
        if len(labels) != num:
            raise ValueError(f'{len(labels)} {self.gt_label_key} for {num} gt_bboxes')
        return np.asarray(labels, np.int64)

    # --------------------------------------------------------------- metric
    def process(self, data_batch, data_samples) -> None:
        """Parse the detections of each answer and take its ground truth."""
        for sample in data_samples:
            text = sample_field(sample, 'pred_text', None)
            boxes, labels, unknown = self.parse(text, sample_img_wh(sample))
            gt = _boxes(sample_field(sample, 'gt_bboxes'))
            self.results.append(
                dict(
                    pred=dict(
                        bboxes=boxes, labels=labels, scores=1.0 / (np.arange(len(boxes)) + 1.0)
                    ),
                    gt=dict(bboxes=gt, labels=self._gt_labels(sample, len(gt))),
                    unknown=unknown,
                )
            )

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Score the processed results with :meth:`calculate`."""
        num_classes = len(self.classes) if self.classes is not None else 1
        res = self.calculate(
            [r['pred'] for r in results], [r['gt'] for r in results], num_classes=num_classes
        )
        if self.print_summary:
            print_log('\n' + res['summary'], logger='current')
        return dict(
            ap=res['ap'],
            ap50=res['ap50'],
            ap75=res['ap75'],
            num_detections=res['num_detections'],
            num_missing=int(sum(not len(r['pred']['bboxes']) for r in results)),
            unknown_names=int(sum(r['unknown'] for r in results)),
        )

    @staticmethod
    def calculate(
        preds: Sequence[dict], gts: Sequence[dict], num_classes: Optional[int] = None
    ) -> dict:
        """COCO box AP of per-image detections against per-image ground truth.

        Image ``i`` gets id ``i + 1`` and label ``k`` the category id
        ``k + 1``; ground truth and detections become in-memory ``COCO``
        objects (``loadRes``) scored by ``COCOeval(iouType='bbox')`` with
        its output silenced.

        Args:
            preds (Sequence[dict]): per image ``bboxes`` ([N, 4] xyxy),
                ``scores`` ([N]) and optional ``labels`` ([N], default 0).
            gts (Sequence[dict]): per image ``bboxes`` ([K, 4] xyxy) and
                optional ``labels`` ([K], default 0).
            num_classes (int, optional): the categories ``0..C-1``; default
                the labels present.

        Returns:
            dict: ``ap``, ``ap50``, ``ap75`` (percent, -1 when no category
            has a ground-truth box), ``stats`` (the 12 raw
            ``COCOeval.stats``), ``num_detections``, ``summary`` (the
            printed summary, as text).

        Example:
            >>> gts = [dict(bboxes=[[0, 0, 10, 10]]), dict(bboxes=[[5, 5, 20, 20]])]
            >>> preds = [dict(bboxes=[[0, 0, 10, 10]], scores=[0.9]),
            ...          dict(bboxes=[[0, 0, 4, 4]], scores=[0.8])]
            >>> res = COCOBoxMetric.calculate(preds, gts)
            >>> round(res['ap50'], 2)
            50.5
        """
        if len(preds) != len(gts):
            raise ValueError(f'{len(preds)} predictions for {len(gts)} images')
        labels_seen = set()
        for item in list(preds) + list(gts):
            labels_seen.update(np.asarray(item.get('labels', [0]), np.int64).reshape(-1).tolist())
        if num_classes is None:
            cat_ids = sorted(k + 1 for k in labels_seen) or [1]
        else:
            cat_ids = list(range(1, int(num_classes) + 1))
        dets = []
        for i, pred in enumerate(preds):
            boxes = _boxes(pred['bboxes'])
            scores = np.asarray(pred.get('scores', np.ones(len(boxes))), np.float64).reshape(-1)
            labels = np.asarray(pred.get('labels', np.zeros(len(boxes))), np.int64).reshape(-1)
            if not len(scores) == len(labels) == len(boxes):
                raise ValueError(
                    f'image {i}: {len(boxes)} boxes, {len(scores)} scores, {len(labels)} labels'
                )
            for box, score, label in zip(xyxy_to_xywh(boxes), scores, labels):
                dets.append(
                    dict(
                        image_id=i + 1,
                        category_id=int(label) + 1,
                        score=float(score),
                        bbox=box.tolist(),
                    )
                )
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            coco_gt = _coco_gt(gts, cat_ids)
            if dets:
                coco_dt = coco_gt.loadRes(dets)
            else:  # loadRes refuses an empty list
                coco_dt = COCO()
                coco_dt.dataset = dict(
                    images=coco_gt.dataset['images'],
                    annotations=[],
                    categories=coco_gt.dataset['categories'],
                )
                coco_dt.createIndex()
            coco_eval = COCOeval(coco_gt, coco_dt, iouType='bbox')
            coco_eval.evaluate()
            coco_eval.accumulate()
            out.truncate(0)
            out.seek(0)
            coco_eval.summarize()
        stats = np.asarray(coco_eval.stats, np.float64)

        def pct(v):
            return float(v * 100) if v >= 0 else -1.0

        return dict(
            ap=pct(stats[0]),
            ap50=pct(stats[1]),
            ap75=pct(stats[2]),
            stats=stats,
            num_detections=len(dets),
            summary=out.getvalue(),
        )
