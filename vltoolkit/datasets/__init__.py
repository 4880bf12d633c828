from .collate import vl_collate
from .hoi_relation_dataset import AnnotationError, HOIRelationDataset
from .transforms import *  # noqa: F401,F403

__all__ = ['vl_collate', 'AnnotationError', 'HOIRelationDataset']
from .refcoco import RefCOCODataset, load_coco_instances, load_refs  # noqa: E402

__all__ += ['RefCOCODataset', 'load_refs', 'load_coco_instances']
from .multi_task_dataset import MultiTaskDataset  # noqa: E402
from .samplers import *  # noqa: F401,F403,E402

__all__ += ['MultiTaskDataset', 'TaskGroupedBatchSampler']
