"""Evaluation: answer parsers, metrics and trivial baselines."""
from .metrics import MacroF1, most_frequent_baseline, multi_hot, relation_table
from .parsers import RelationParser, normalize_phrase

__all__ = [
    'RelationParser', 'normalize_phrase', 'MacroF1', 'multi_hot',
    'relation_table', 'most_frequent_baseline'
]
from .metrics import COCOBoxMetric, GroundingAccuracy, box_iou_paired  # noqa: E402

__all__ += ['GroundingAccuracy', 'box_iou_paired', 'COCOBoxMetric']
