"""Inference: a recipe (config + checkpoint) answers (image, prompt) pairs."""

from vltoolkit.evaluation.parsers.answer import boxes_with_phrases, parse_relations

from .checkpoint import CheckpointMismatchError, load_recipe_checkpoint
from .images import read_image
from .inferencer import VLInferencer, infer
from .task_inputs import (
    TASK_INPUTS,
    caption_input,
    grounding_input,
    hoi_input,
    hoi_localization_input,
    vqa_input,
)

__all__ = [
    'VLInferencer',
    'infer',
    'boxes_with_phrases',
    'parse_relations',
    'read_image',
    'load_recipe_checkpoint',
    'CheckpointMismatchError',
    'TASK_INPUTS',
    'hoi_input',
    'hoi_localization_input',
    'grounding_input',
    'vqa_input',
    'caption_input',
]
