from .collate import vl_collate
from .hoi_relation_dataset import AnnotationError, HOIRelationDataset
from .transforms import *  # noqa: F401,F403

__all__ = ['vl_collate', 'AnnotationError', 'HOIRelationDataset']
