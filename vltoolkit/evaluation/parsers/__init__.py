"""Parsers that turn generated text into structured predictions."""
from .relation_parser import RelationParser, normalize_phrase

__all__ = ['RelationParser', 'normalize_phrase']
from .vqa_normalize import (normalize_answer, process_digit_article,  # noqa: E402
                            process_punctuation)

__all__ += ['normalize_answer', 'process_punctuation', 'process_digit_article']
from .vlm_grounding import (FLORENCE2_GROUNDING_TASKS,  # noqa: E402
                            parse_florence2_grounding, parse_kosmos2_grounding)

__all__ += ['FLORENCE2_GROUNDING_TASKS', 'parse_florence2_grounding',
            'parse_kosmos2_grounding']
