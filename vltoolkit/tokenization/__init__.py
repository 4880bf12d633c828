"""Tokenization: boxes <-> location tokens, and the tokenizers that hold them.

* :class:`BaseBoxCoder`, :class:`BinBoxCoder` (OFA / Pix2Seq, 4 tokens per
  box), :class:`PatchIndexBoxCoder` (Kosmos-2, 2 tokens per box),
  :class:`BoxDecodeError`, :func:`build_box_coder`;
* :class:`Florence2BoxCoder` (1000 floor bins, ``<loc_k>``) and
  :class:`PaliGemmaBoxCoder` (1024 bins, ``<loc%04d>``, y before x): the
  native schemes of the pretrained VLMs (``docs/pretrained_vlms.md``);
* :class:`TextBoxCoder`, :class:`Qwen2_5VLBoxCoder` (absolute pixels of the
  processor's resized image) and :class:`Qwen3VLBoxCoder` (0..1000): boxes
  written as numbers in a JSON answer, no location tokens;
* :class:`VLTokenizer` (a local transformers tokenizer plus location tokens),
  :func:`build_tokenizer` (one instance per config and process);
* :func:`train_word_level_tokenizer` (a small word-level vocabulary saved in
  the transformers format).

See ``docs/location_tokens.md``.
"""

from .base_box_coder import BaseBoxCoder, BoxDecodeError, build_box_coder
from .bin_box_coder import BinBoxCoder
from .florence2_box_coder import Florence2BoxCoder
from .hf_tokenizer import HFTokenizer
from .paligemma_box_coder import PaliGemmaBoxCoder
from .patch_index_box_coder import PatchIndexBoxCoder
from .qwen2_5_vl_box_coder import Qwen2_5VLBoxCoder
from .qwen3_vl_box_coder import Qwen3VLBoxCoder
from .sized_placeholder import SizedPlaceholderTokenizer
from .text_box_coder import TextBoxCoder
from .vl_tokenizer import VLTokenizer, build_tokenizer, clear_tokenizer_cache
from .word_vectors import WordVectors, get_word_vectors, tokenize_words

__all__ = [
    'BaseBoxCoder',
    'BoxDecodeError',
    'build_box_coder',
    'BinBoxCoder',
    'PatchIndexBoxCoder',
    'Florence2BoxCoder',
    'PaliGemmaBoxCoder',
    'TextBoxCoder',
    'Qwen2_5VLBoxCoder',
    'Qwen3VLBoxCoder',
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
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
