"""Synthetic data sets that build in seconds on the CPU (demos and tests)."""

from .grounding_toy import (
    TOY_REFCOCO_CATEGORIES,
    TOY_REFCOCO_COLOURS,
    make_toy_refcoco,
    make_toy_refcoco_scene,
)
from .hoi_toy import TOY_HOI_CLASSES_USED, TOY_HOI_OBJECTS, make_toy_hoi, make_toy_hoi_scene
from .mcn_toy import make_toy_mcn
from .multitask_toy import describe_toy_scene, make_toy_regions, make_toy_regions_scene
from .vqa_toy import (
    TOY_VQA_ANSWERS,
    TOY_VQA_COLOURS,
    TOY_VQA_SHAPES,
    make_toy_vqa,
    make_toy_vqa_scene,
)

__all__ = [
    'TOY_HOI_CLASSES_USED',
    'TOY_HOI_OBJECTS',
    'make_toy_hoi',
    'make_toy_hoi_scene',
    'TOY_REFCOCO_CATEGORIES',
    'TOY_REFCOCO_COLOURS',
    'make_toy_refcoco',
    'make_toy_refcoco_scene',
    'describe_toy_scene',
    'make_toy_regions',
    'make_toy_regions_scene',
    'make_toy_mcn',
    'TOY_VQA_ANSWERS',
    'TOY_VQA_COLOURS',
    'TOY_VQA_SHAPES',
    'make_toy_vqa',
    'make_toy_vqa_scene',
]
