from .collate import vl_collate
from .annotation_io import AnnotationError
from .hoi_relation_dataset import HOIRelationDataset
from .transforms import *  # noqa: F401,F403

__all__ = ['vl_collate', 'AnnotationError', 'HOIRelationDataset']
from .refcoco import RefCOCODataset, load_coco_instances, load_refs  # noqa: E402

__all__ += ['RefCOCODataset', 'load_refs', 'load_coco_instances']
from .multi_task_dataset import MultiTaskDataset  # noqa: E402
from .samplers import *  # noqa: F401,F403,E402

__all__ += ['MultiTaskDataset', 'TaskGroupedBatchSampler']
from .coco_caption import COCOCaptionDataset  # noqa: E402
from .coco_categorization import COCOCategorizationDataset  # noqa: E402
from .vg_regions import VGRegionCaptionDataset  # noqa: E402

__all__ += ['COCOCaptionDataset', 'COCOCategorizationDataset',
            'VGRegionCaptionDataset']
from .feature_collate import feature_collate  # noqa: E402
from .feature_pickle import FeaturePickleError, load_feature_pickle  # noqa: E402
from .howto100m_features import HowTo100MFeatureDataset  # noqa: E402
from .mcn_eval_features import MCNEvalFeatureDataset  # noqa: E402

__all__ += ['feature_collate', 'FeaturePickleError', 'load_feature_pickle',
            'HowTo100MFeatureDataset', 'MCNEvalFeatureDataset']
from .vqav2 import VQAv2Dataset  # noqa: E402
from .vqa_answers import (build_answer_vocab, load_answer_list,  # noqa: E402
                          save_answer_list, soft_targets, vqa_score)

__all__ += ['VQAv2Dataset', 'build_answer_vocab', 'load_answer_list',
            'save_answer_list', 'soft_targets', 'vqa_score']
