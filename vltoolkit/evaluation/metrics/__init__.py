"""Metrics (registered in :data:`vltoolkit.registry.METRICS`)."""
from .hoi_baseline import most_frequent_baseline
from .macro_f1 import MacroF1, multi_hot, relation_table

__all__ = ['MacroF1', 'multi_hot', 'relation_table', 'most_frequent_baseline']
from .coco_box_metric import COCOBoxMetric  # noqa: E402
from .grounding_accuracy import GroundingAccuracy, box_iou_paired  # noqa: E402

__all__ += ['GroundingAccuracy', 'box_iou_paired', 'COCOBoxMetric']
from .vqa_accuracy import VQAAccuracy, vqa_question_accuracy  # noqa: E402

__all__ += ['VQAAccuracy', 'vqa_question_accuracy']
from .retrieval_recall import RetrievalRecall, retrieval_ranks  # noqa: E402

__all__ += ['RetrievalRecall', 'retrieval_ranks']
