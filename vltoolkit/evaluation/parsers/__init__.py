"""Parsers that turn generated text into structured predictions.

The answer parsers of the pretrained VLM families live with each family
(``vltoolkit/models/pretrained_vlms/<family>.py``, ``VLMFamily.parse_answer``).
"""

from .answer import boxes_with_phrases, parse_relations, relation_parser_from_meta
from .relation_parser import RelationParser, normalize_phrase
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
]
