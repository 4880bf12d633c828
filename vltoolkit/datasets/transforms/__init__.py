from .clip_boxes import ClipBoxesToImage
from .formatting import PackVLInputs
from .hoi_relation_prompt import HOIRelationPrompt
from .loading import LoadImage
from .resize import ResizeImageAndBoxes
from .tokenize import TokenizeText

__all__ = ['ClipBoxesToImage', 'PackVLInputs', 'HOIRelationPrompt',
           'LoadImage', 'ResizeImageAndBoxes', 'TokenizeText']

from .span_masking import SpanMasking, restore_spans, sentinel_tokens  # noqa: E402
from .task_prompt import TaskPrompt  # noqa: E402

__all__ += ['SpanMasking', 'restore_spans', 'sentinel_tokens', 'TaskPrompt']
from .features import CaptionToWordVectors, CropAudio, PackFeatureInputs  # noqa: E402

__all__ += ['CaptionToWordVectors', 'CropAudio', 'PackFeatureInputs']

