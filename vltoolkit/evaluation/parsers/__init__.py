"""Parsers that turn generated text into structured predictions."""
from .relation_parser import RelationParser, normalize_phrase

__all__ = ['RelationParser', 'normalize_phrase']
