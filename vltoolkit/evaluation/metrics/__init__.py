"""Metrics (registered in :data:`vltoolkit.registry.METRICS`)."""

from .coco_box_metric import COCOBoxMetric
from .grounding_accuracy import GroundingAccuracy, box_iou_paired
from .hoi_baseline import most_frequent_baseline
from .macro_f1 import MacroF1, multi_hot, relation_table
from .retrieval_recall import RetrievalRecall, retrieval_ranks
from .vqa_accuracy import VQAAccuracy, vqa_question_accuracy

__all__ = [
    'MacroF1',
    'multi_hot',
    'relation_table',
    'most_frequent_baseline',
    'GroundingAccuracy',
    'box_iou_paired',
    'COCOBoxMetric',
    'VQAAccuracy',
    'vqa_question_accuracy',
    'RetrievalRecall',
    'retrieval_ranks',
]
