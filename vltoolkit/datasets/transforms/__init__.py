from .clip_boxes import ClipBoxesToImage
from .features import CaptionToWordVectors, CropAudio, PackFeatureInputs
from .formatting import PackVLInputs
from .hoi_relation_prompt import HOIRelationPrompt
from .loading import LoadImage
from .resize import ResizeImageAndBoxes
from .span_masking import SpanMasking, restore_spans, sentinel_tokens
from .task_prompt import TaskPrompt
from .tokenize import TokenizeText

__all__ = [
    'ClipBoxesToImage',
    'PackVLInputs',
    'HOIRelationPrompt',
    'LoadImage',
    'ResizeImageAndBoxes',
    'TokenizeText',
    'SpanMasking',
    'restore_spans',
    'sentinel_tokens',
    'TaskPrompt',
    'CaptionToWordVectors',
    'CropAudio',
    'PackFeatureInputs',
]
