"""A tokenizer that only knows its size: for sizing models without files."""

from typing import Sequence

import torch

from vltoolkit.registry import TOKENIZERS

from .base_box_coder import build_box_coder


@TOKENIZERS.register_module()
class SizedPlaceholderTokenizer:
    """Stands in for a tokenizer whose files are not on disk, so that a
    model can be built (on the meta device) and counted before anything is
    downloaded (``tools/analysis/count_params.py``).

    Its vocabulary is ``vocab_size`` base ids, then the box coder's location
    tokens, then ``extra_special_tokens``, the order :class:`VLTokenizer`
    adds them in, so the model gets the embedding size it would get from
    the real tokenizer. Special ids follow BART / GPT-2 BPE (``<s>`` 0,
    ``<pad>`` 1, ``</s>`` 2). It cannot encode or decode text.

    Args:
        vocab_size (int): size of the pretrained tokenizer's vocabulary.
        box_coder (dict, optional): the recipe's box coder; none: no
            location tokens.
        extra_special_tokens (Sequence[str]): added after the location tokens.
        path (str, optional): the missing tokenizer folder (for messages).
    """

    bos_token_id, pad_token_id, eos_token_id = 0, 1, 2

    def __init__(
        self,
        vocab_size: int,
        box_coder=None,
        extra_special_tokens: Sequence[str] = (),
        path: str = None,
        **unused,
    ):
        self.path = path
        self.box_coder = build_box_coder(box_coder) if box_coder is not None else None
        n_loc = len(self.box_coder.location_tokens) if self.box_coder else 0
        self.location_token_ids = torch.arange(vocab_size, vocab_size + n_loc)
        self.extra_special_tokens = tuple(extra_special_tokens)
        self.extra_special_token_ids = list(
            range(vocab_size + n_loc, vocab_size + n_loc + len(self.extra_special_tokens))
        )
        self._len = vocab_size + n_loc + len(self.extra_special_tokens)
        self.location_index_of_id = torch.full((self._len,), -1, dtype=torch.long)
        self.location_index_of_id[self.location_token_ids] = torch.arange(n_loc)

    def __len__(self) -> int:
        return self._len

    def _refuse(self, *args, **kwargs):
        raise RuntimeError(
            f'SizedPlaceholderTokenizer (for {self.path!r}) only sizes models; '
            'it cannot encode or decode: put the real tokenizer there'
        )

    encode = decode = batch_decode = _refuse
