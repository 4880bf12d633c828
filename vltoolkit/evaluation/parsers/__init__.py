"""Parsers that turn generated text into structured predictions."""

from .answer import boxes_with_phrases, parse_relations, relation_parser_from_meta
from .relation_parser import RelationParser, normalize_phrase
from .vlm_grounding import (
    FLORENCE2_GROUNDING_TASKS,
    parse_florence2_grounding,
    parse_kosmos2_grounding,
)
from .vqa_normalize import normalize_answer, process_digit_article, process_punctuation

__all__ = [
    'boxes_with_phrases',
    'parse_relations',
    'relation_parser_from_meta',
    'RelationParser',
    'normalize_phrase',
    'normalize_answer',
    'process_punctuation',
    'process_digit_article',
    'FLORENCE2_GROUNDING_TASKS',
    'parse_florence2_grounding',
    'parse_kosmos2_grounding',
]
