"""Evaluation: answer parsers, metrics and trivial baselines."""
from .metrics import MacroF1, most_frequent_baseline, multi_hot, relation_table
from .parsers import RelationParser, normalize_phrase

__all__ = [
    'RelationParser', 'normalize_phrase', 'MacroF1', 'multi_hot',
    'relation_table', 'most_frequent_baseline'
]
from .metrics import COCOBoxMetric, GroundingAccuracy, box_iou_paired  # noqa: E402

__all__ += ['GroundingAccuracy', 'box_iou_paired', 'COCOBoxMetric']
from .metrics import VQAAccuracy, vqa_question_accuracy  # noqa: E402
from .parsers import normalize_answer  # noqa: E402

__all__ += ['VQAAccuracy', 'vqa_question_accuracy', 'normalize_answer']
from .metrics import RetrievalRecall, retrieval_ranks  # noqa: E402

__all__ += ['RetrievalRecall', 'retrieval_ranks']
from .sample_verdict import judge_sample, order_by_verdict  # noqa: E402

__all__ += ['judge_sample', 'order_by_verdict']
from .relation_confusion import relation_confusion  # noqa: E402

__all__ += ['relation_confusion']
