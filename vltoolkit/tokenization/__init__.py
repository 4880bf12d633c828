"""Tokenization: boxes <-> location tokens, and the tokenizers that hold them.

* :class:`BaseBoxCoder`, :class:`BinBoxCoder` (OFA / Pix2Seq, 4 tokens per
  box), :class:`PatchIndexBoxCoder` (2 corner cells of a grid per box),
  :class:`BoxDecodeError`, :func:`build_box_coder`;
* the box formats of the pretrained VLM families, one ``*_box_coder.py``
  module each (``docs/pretrained_vlms.md``), all imported (so registered)
  below; their classes are reachable here by name (``BOX_CODERS``);
* :class:`TextBoxCoder`: boxes written as numbers in a JSON answer, no
  location tokens (the base of the text box formats);
* :class:`VLTokenizer` (a local transformers tokenizer plus location tokens),
  :func:`build_tokenizer` (one instance per config and process);
* :func:`train_word_level_tokenizer` (a small word-level vocabulary saved in
  the transformers format).

See ``docs/location_tokens.md``.
"""

import importlib
import pkgutil

from .base_box_coder import BaseBoxCoder, BoxDecodeError, build_box_coder
from .bin_box_coder import BinBoxCoder
from .hf_tokenizer import HFTokenizer
from .patch_index_box_coder import PatchIndexBoxCoder
from .sized_placeholder import SizedPlaceholderTokenizer
from .text_box_coder import TextBoxCoder
from .vl_tokenizer import VLTokenizer, build_tokenizer, clear_tokenizer_cache
from .word_vectors import WordVectors, get_word_vectors, tokenize_words

# every box format module registers its coder (no family named here)
for _module in pkgutil.iter_modules(__path__):
    if _module.name.endswith('_box_coder'):
        importlib.import_module(f'{__name__}.{_module.name}')

__all__ = [
    'BaseBoxCoder',
    'BoxDecodeError',
    'build_box_coder',
    'BinBoxCoder',
    'PatchIndexBoxCoder',
    'TextBoxCoder',
    'VLTokenizer',
    'build_tokenizer',
    'SizedPlaceholderTokenizer',
    'clear_tokenizer_cache',
    'train_word_level_tokenizer',
    'WordVectors',
    'get_word_vectors',
    'tokenize_words',
    'HFTokenizer',
]


def __getattr__(name):
    # imported on first use: it needs the `tokenizers` trainers, which
    # loading a tokenizer does not
    if name == 'train_word_level_tokenizer':
        from .word_level import train_word_level_tokenizer

        return train_word_level_tokenizer
    from vltoolkit.registry import BOX_CODERS

    coder = BOX_CODERS.get(name) if name.endswith('BoxCoder') else None
    if coder is not None:
        return coder
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
