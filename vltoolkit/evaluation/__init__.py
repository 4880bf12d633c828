"""Evaluation: answer parsers, metrics and trivial baselines."""

from .metrics import (
    COCOBoxMetric,
    GroundingAccuracy,
    MacroF1,
    RetrievalRecall,
    VQAAccuracy,
    box_iou_paired,
    most_frequent_baseline,
    multi_hot,
    relation_table,
    retrieval_ranks,
    vqa_question_accuracy,
)
from .parsers import RelationParser, normalize_answer, normalize_phrase
from .relation_confusion import relation_confusion
from .sample_verdict import judge_sample, order_by_verdict

__all__ = [
    'RelationParser',
    'normalize_phrase',
    'MacroF1',
    'multi_hot',
    'relation_table',
    'most_frequent_baseline',
    'GroundingAccuracy',
    'box_iou_paired',
    'COCOBoxMetric',
    'VQAAccuracy',
    'vqa_question_accuracy',
    'normalize_answer',
    'RetrievalRecall',
    'retrieval_ranks',
    'judge_sample',
    'order_by_verdict',
    'relation_confusion',
]
