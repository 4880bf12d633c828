"""Train a small word-level tokenizer, saved in the transformers format.

For models trained from scratch on a small corpus a word-level vocabulary is
enough. The result is an ordinary ``tokenizer.json`` +
``tokenizer_config.json`` folder that ``transformers.AutoTokenizer`` loads
offline, and that :class:`~vltoolkit.tokenization.VLTokenizer` wraps.

Command line: ``tools/data/build_tokenizer.py`` (from a recipe's training
data, or ``--texts FILE ...``).
"""

import os
import re
from typing import Iterable, Sequence

from tokenizers import (
    AddedToken,
    Tokenizer,
    decoders,
    models,
    normalizers,
    pre_tokenizers,
    processors,
    trainers,
)

BOS, PAD, EOS, UNK = '<s>', '<pad>', '</s>', '<unk>'
#: BART's special tokens, with their ids 0, 1, 2, 3.
BART_SPECIAL_TOKENS = (BOS, PAD, EOS, UNK)


def train_word_level_tokenizer(
    texts: Iterable[str],
    out_dir: str,
    special_tokens: Sequence[str] = (),
    vocab_size: int = None,
    min_frequency: int = 1,
):
    """Train a WordLevel tokenizer on ``texts`` and save it to ``out_dir``.

    The tokenizer (``tokenizers`` library) has

    * BART's special tokens ``<s>`` (id 0), ``<pad>`` (1), ``</s>`` (2),
      ``<unk>`` (3), then the words by decreasing frequency;
    * a lowercase normaliser and a pre-tokeniser splitting on whitespace and
      isolating every punctuation character (``"dog's,"`` -> ``dog ' s ,``);
    * the post-processor ``<s> $A </s>`` (pairs: ``<s> $A </s> </s> $B </s>``);
    * a decoder that joins words with single spaces;
    * ``special_tokens`` (e.g. all location tokens of a box coder) appended
      after the words as special added tokens: matched before normalisation
      and splitting, so ``person<loc_40><loc_1558>`` becomes ``person``,
      ``<loc_40>``, ``<loc_1558>``. They are removed from ``texts`` before
      the words are counted.

    It is wrapped in a ``transformers.PreTrainedTokenizerFast`` with
    bos / eos / pad / unk set and saved with ``save_pretrained(out_dir)``, so
    ``AutoTokenizer.from_pretrained(out_dir)`` reloads it without network.

    Args:
        texts (Iterable[str]): training texts.
        out_dir (str): output folder (created if missing).
        special_tokens (Sequence[str]): extra special tokens, in id order.
        vocab_size (int, optional): cap on the vocabulary size, special
            tokens of BART included (``special_tokens`` come on top).
            Default: no cap.
        min_frequency (int): minimum count of a word to enter the vocabulary.

    Returns:
        transformers.PreTrainedTokenizerFast: the saved tokenizer.
    """
    from transformers import PreTrainedTokenizerFast

    if isinstance(texts, str):
        raise TypeError('texts must be an iterable of strings, not one string')
    special_tokens = [str(t) for t in special_tokens]
    clash = sorted(set(special_tokens) & set(BART_SPECIAL_TOKENS))
    if clash:
        raise ValueError(f'special_tokens repeat BART special tokens {clash}')
    if len(set(special_tokens)) != len(special_tokens):
        raise ValueError('special_tokens hold duplicates')

    strip = None
    if special_tokens:
        ordered = sorted(special_tokens, key=len, reverse=True)
        strip = re.compile('|'.join(re.escape(t) for t in ordered))

    def training_texts():
        for text in texts:
            yield strip.sub(' ', text) if strip is not None else text

    tok = Tokenizer(models.WordLevel(unk_token=UNK))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.WhitespaceSplit(),
            pre_tokenizers.Punctuation('isolated'),
        ]
    )
    trainer = trainers.WordLevelTrainer(
        vocab_size=vocab_size if vocab_size is not None else 2**31 - 1,
        min_frequency=min_frequency,
        special_tokens=list(BART_SPECIAL_TOKENS),
        show_progress=False,
    )
    tok.train_from_iterator(training_texts(), trainer)
    ids = [tok.token_to_id(t) for t in BART_SPECIAL_TOKENS]
    assert ids == [0, 1, 2, 3], ids
    tok.post_processor = processors.TemplateProcessing(
        single=f'{BOS} $A {EOS}',
        pair=f'{BOS} $A {EOS} {EOS} $B {EOS}',
        special_tokens=[(BOS, 0), (EOS, 2)],
    )
    # WordPiece's decoder joins tokens with spaces (no word starts with its
    # '##' prefix: '#' is punctuation, split off by the pre-tokeniser).
    tok.decoder = decoders.WordPiece(prefix='##', cleanup=False)
    if special_tokens:
        tok.add_special_tokens(
            [
                AddedToken(
                    t, special=True, normalized=False, single_word=False, lstrip=False, rstrip=False
                )
                for t in special_tokens
            ]
        )

    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token=BOS,
        eos_token=EOS,
        pad_token=PAD,
        unk_token=UNK,
        clean_up_tokenization_spaces=False,
    )
    os.makedirs(out_dir, exist_ok=True)
    fast.save_pretrained(out_dir)
    return fast
