from .boxes import ClipBoxesToImage
from .formatting import PackVLInputs
from .hoi_prompt import HOIRelationPrompt
from .loading import LoadImage
from .resize import ResizeImageAndBoxes
from .tokenize import TokenizeText

__all__ = ['ClipBoxesToImage', 'PackVLInputs', 'HOIRelationPrompt',
           'LoadImage', 'ResizeImageAndBoxes', 'TokenizeText']
from .grounding_prompt import GroundingPrompt  # noqa: E402

__all__ += ['GroundingPrompt']
