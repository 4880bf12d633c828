from .annotation_io import AnnotationError
from .coco_caption import COCOCaptionDataset
from .coco_categorization import COCOCategorizationDataset
from .collate import vl_collate
from .feature_collate import feature_collate
from .feature_pickle import FeaturePickleError, load_feature_pickle
from .hoi_relation_dataset import HOIRelationDataset
from .howto100m_features import HowTo100MFeatureDataset
from .mcn_eval_features import MCNEvalFeatureDataset
from .multi_task_dataset import MultiTaskDataset
from .refcoco import RefCOCODataset, load_coco_instances, load_refs
from .samplers import TaskGroupedBatchSampler
from .transforms import *  # noqa: F401,F403
from .vg_regions import VGRegionCaptionDataset
from .vqa_answers import (
    build_answer_vocab,
    load_answer_list,
    save_answer_list,
    soft_targets,
    vqa_score,
)
from .vqav2 import VQAv2Dataset

__all__ = [
    'vl_collate',
    'AnnotationError',
    'HOIRelationDataset',
    'RefCOCODataset',
    'load_refs',
    'load_coco_instances',
    'MultiTaskDataset',
    'TaskGroupedBatchSampler',
    'COCOCaptionDataset',
    'COCOCategorizationDataset',
    'VGRegionCaptionDataset',
    'feature_collate',
    'FeaturePickleError',
    'load_feature_pickle',
    'HowTo100MFeatureDataset',
    'MCNEvalFeatureDataset',
    'VQAv2Dataset',
    'build_answer_vocab',
    'load_answer_list',
    'save_answer_list',
    'soft_targets',
    'vqa_score',
]
