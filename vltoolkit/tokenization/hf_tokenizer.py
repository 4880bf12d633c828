"""A local transformers tokenizer for plain text (no location tokens)."""

import os.path as osp

import numpy as np
import torch

from vltoolkit.registry import TOKENIZERS


def _cached_hub_folder(path: str) -> str:
    """A hub name (``org/name``) that is not a local folder -> its snapshot
    folder in the local hub cache (nothing is downloaded); anything else
    unchanged."""
    if osp.isdir(path) or path.count('/') != 1 or path.startswith(('.', '/')):
        return path
    try:
        from huggingface_hub import snapshot_download

        return snapshot_download(path, local_files_only=True)
    except Exception:  # noqa: BLE001 - not cached: the caller reports it
        return path


@TOKENIZERS.register_module()
class HFTokenizer:
    """``AutoTokenizer.from_pretrained(path, local_files_only=True)`` with the
    interface of :class:`~vltoolkit.tokenization.VLTokenizer`, for models whose
    text holds no boxes (VQA: ViLT's BERT tokenizer, CLIP's BPE tokenizer).

    Unlike ``VLTokenizer`` it adds no location token, so a pretrained
    vocabulary keeps its size (a pretrained ViLT's 30522 word embeddings
    load without resizing).

    Args:
        path (str): local tokenizer folder (a saved transformers tokenizer,
            or one trained by ``tools/data/build_tokenizer.py``), or the hub
            name of a model already in the local hub cache; nothing is
            downloaded.
        max_length (int, optional): :meth:`encode` truncates to this many
            ids, special tokens included (ViLT: 40, its text positions).

    Config::

        tokenizer = dict(type='HFTokenizer', path='checkpoints/bert-base-uncased',
                         max_length=40)
    """

    def __init__(self, path: str, max_length: int = None):
        from transformers import AutoTokenizer

        if max_length is not None and int(max_length) < 1:
            raise ValueError(f'max_length must be >= 1, got {max_length!r}')
        self.path = path
        self.max_length = None if max_length is None else int(max_length)
        path = _cached_hub_folder(path)
        if not osp.isdir(path):
            raise FileNotFoundError(
                f'tokenizer folder {path!r} does not exist (resolved: '
                f'{osp.abspath(path)!r}). {self._how_to_make(path)}'
            )
        tok = AutoTokenizer.from_pretrained(path, local_files_only=True)
        if tok.pad_token is None and tok.eos_token is not None:
            tok.pad_token = tok.eos_token
        self.tokenizer = tok
        self._skip_ids = frozenset(tok.all_special_ids)

    def _how_to_make(self, path: str) -> str:
        return (
            'Train a word-level tokenizer on a recipe\'s texts with `python '
            'tools/data/build_tokenizer.py CONFIG`, or save a transformers '
            'tokenizer there with `tokenizer.save_pretrained(DIR)`.'
        )

    def __len__(self):
        """Vocabulary size, added tokens included."""
        return len(self.tokenizer)

    @property
    def vocab_size(self) -> int:
        return len(self.tokenizer)

    @property
    def pad_token_id(self) -> int:
        return self.tokenizer.pad_token_id

    @property
    def eos_token_id(self) -> int:
        return self.tokenizer.eos_token_id

    @property
    def bos_token_id(self) -> int:
        return self.tokenizer.bos_token_id

    def encode(self, text: str, add_special_tokens: bool = True) -> list:
        """Text -> ids with the post-processor's special tokens, truncated to
        ``max_length`` if set."""
        if not isinstance(text, str):
            raise TypeError(f'encode takes one str, got {type(text).__name__}')
        truncate = self.max_length is not None
        return list(
            self.tokenizer(
                text,
                add_special_tokens=add_special_tokens,
                truncation=truncate,
                max_length=self.max_length if truncate else None,
            )['input_ids']
        )

    def encode_with_offsets(self, text: str, add_special_tokens: bool = True):
        """``(ids, offsets)``: the ids of :meth:`encode` and the ``(start,
        end)`` character span of each (``(0, 0)`` for special tokens); needs
        a fast (Rust) tokenizer."""
        if not getattr(self.tokenizer, 'is_fast', False):
            raise TypeError(
                f'{self!r}: character offsets need a fast tokenizer (tokenizer.json in the folder)'
            )
        truncate = self.max_length is not None
        out = self.tokenizer(
            text,
            add_special_tokens=add_special_tokens,
            truncation=truncate,
            max_length=self.max_length if truncate else None,
            return_offsets_mapping=True,
        )
        return list(out['input_ids']), [tuple(o) for o in out['offset_mapping']]

    def __call__(self, texts, padding: bool = True):
        """A batch of texts -> ``dict(input_ids [B, S], attention_mask [B, S])``
        (LongTensors, right-padded to the longest)."""
        rows = [self.encode(t) for t in texts]
        longest = max(len(r) for r in rows) if rows else 0
        pad = self.pad_token_id if self.pad_token_id is not None else 0
        ids = torch.full((len(rows), longest), pad, dtype=torch.long)
        mask = torch.zeros((len(rows), longest), dtype=torch.long)
        for i, row in enumerate(rows):
            ids[i, : len(row)] = torch.tensor(row, dtype=torch.long)
            mask[i, : len(row)] = 1
        return dict(input_ids=ids, attention_mask=mask)

    @staticmethod
    def _rows(ids):
        if isinstance(ids, torch.Tensor):
            ids = ids.detach().cpu().tolist()
        elif isinstance(ids, np.ndarray):
            ids = ids.tolist()
        if ids and isinstance(ids[0], int):
            raise TypeError(
                'batch_decode takes a batch (list of lists or a '
                '2-D tensor); use decode for one sequence'
            )
        return [list(row) for row in ids]

    def batch_decode(self, ids, skip_special_tokens: bool = True) -> list:
        """Id sequences -> texts.

        Negative ids (e.g. the ignore index -100 of targets) are always
        dropped; with ``skip_special_tokens`` so are the ids in
        ``self._skip_ids`` (the tokenizer's special tokens; subclasses keep
        the special tokens that are content, such as location tokens).
        """
        skip = self._skip_ids if skip_special_tokens else frozenset()
        rows = [[int(i) for i in row if i >= 0 and int(i) not in skip] for row in self._rows(ids)]
        return [
            t.strip()
            for t in self.tokenizer.batch_decode(
                rows, skip_special_tokens=False, clean_up_tokenization_spaces=False
            )
        ]

    def decode(self, ids, skip_special_tokens: bool = True) -> str:
        if isinstance(ids, (torch.Tensor, np.ndarray)):
            ids = ids.reshape(-1).tolist()
        return self.batch_decode([list(ids)], skip_special_tokens)[0]

    def __repr__(self):
        return (
            f'{type(self).__name__}(path={self.path!r}, '
            f'max_length={self.max_length}, vocab={len(self)})'
        )
