"""A transformers tokenizer that knows the location tokens of a box coder."""

import json
import os.path as osp
import threading
from typing import Sequence

import torch

from vltoolkit.registry import TOKENIZERS

from .base_box_coder import BaseBoxCoder, build_box_coder
from .bin_box_coder import BinBoxCoder
from .hf_tokenizer import HFTokenizer
from .patch_index_box_coder import PatchIndexBoxCoder  # noqa: F401 (registers)


@TOKENIZERS.register_module()
class VLTokenizer(HFTokenizer):
    """A local transformers tokenizer plus the location tokens of a box coder.

    Loads ``AutoTokenizer.from_pretrained(path, local_files_only=True)`` (a
    folder from :func:`~vltoolkit.tokenization.train_word_level_tokenizer`
    or any saved transformers tokenizer) and adds every location token of
    ``box_coder`` that is not already an added token, as a special token
    (tokens already in the vocabulary keep their ids). A location token is
    therefore always one id, whatever the text around it.

    Args:
        path (str): local tokenizer folder; nothing is downloaded.
        box_coder (dict | BaseBoxCoder, optional): config in ``BOX_CODERS``
            or an instance. Default ``BinBoxCoder()`` (1000 ``<bin_{}>``).
        max_length (int, optional): if set, :meth:`encode` truncates to this
            many ids (special tokens of the post-processor included).
        extra_special_tokens (Sequence[str]): more tokens to add like the
            location tokens (e.g. the span-masking sentinels ``<mask_0>``,
            ``<mask_1>``, ... of
            :class:`~vltoolkit.datasets.transforms.SpanMasking`): each is one
            id whatever the text around it, and, being content, is kept by
            :meth:`batch_decode`. Default: none.
        add_location_tokens (bool): add the location tokens missing from the
            vocabulary (default True). False for a pretrained model whose
            tokenizer already holds them (the pretrained VLM families):
            a missing one then raises ``ValueError`` instead of growing the
            vocabulary past the model's embeddings.

    Config::

        tokenizer = dict(
            type='VLTokenizer', path='data/tokenizers/word_level',
            box_coder=dict(type='BinBoxCoder', num_bins=1000,
                           token_fmt='<loc_{}>'),
            max_length=64,
            # span-masking sentinels (optional; see docs/tasks.md)
            extra_special_tokens=[f'<mask_{i}>' for i in range(16)])

    Attributes:
        tokenizer: the wrapped ``transformers`` tokenizer.
        box_coder (BaseBoxCoder): the box coder.
        location_token_ids (torch.LongTensor): ``[L]``, the id of location
            index ``k`` at position ``k``.
        location_index_of_id (torch.LongTensor): ``[V]``, the location index
            of each vocabulary id, ``-1`` for other tokens.
        extra_special_tokens (tuple[str]): the extra special tokens.
        extra_special_token_ids (list[int]): their ids, in the same order.
    """

    def __init__(
        self,
        path: str,
        box_coder=None,
        max_length: int = None,
        extra_special_tokens: Sequence[str] = (),
        add_location_tokens: bool = True,
    ):
        from transformers import AddedToken

        self.box_coder = build_box_coder(box_coder if box_coder is not None else BinBoxCoder())
        super().__init__(path, max_length)
        tok = self.tokenizer
        self.extra_special_tokens = self._check_extra(
            extra_special_tokens, self.box_coder.location_tokens
        )
        added = tok.get_added_vocab()
        missing = [
            t
            for t in self.box_coder.location_tokens + list(self.extra_special_tokens)
            if t not in added
        ]
        if missing and not add_location_tokens:
            vocab = tok.get_vocab()
            absent = [t for t in missing if t not in vocab]
            if absent:
                raise ValueError(
                    f'the tokenizer in {path!r} lacks {len(absent)} location '
                    f'token(s) of {self.box_coder!r} (e.g. {absent[0]!r}) and '
                    'add_location_tokens=False: use the tokenizer saved with '
                    'the pretrained model, whose vocabulary holds them'
                )
            missing = []
        if missing:
            tok.add_tokens(
                [
                    AddedToken(
                        t,
                        special=True,
                        normalized=False,
                        lstrip=True,
                        rstrip=False,
                        single_word=False,
                    )
                    for t in missing
                ],
                special_tokens=True,
            )

        ids = tok.convert_tokens_to_ids(self.box_coder.location_tokens)
        if len(set(ids)) != len(ids) or any(i is None for i in ids):
            raise RuntimeError(
                f'location tokens of {self.box_coder!r} do not map to distinct ids in {path!r}'
            )
        self.location_token_ids = torch.tensor(ids, dtype=torch.long)
        index_of_id = torch.full((len(tok),), -1, dtype=torch.long)
        index_of_id[self.location_token_ids] = torch.arange(len(ids), dtype=torch.long)
        self.location_index_of_id = index_of_id
        self.extra_special_token_ids = tok.convert_tokens_to_ids(list(self.extra_special_tokens))
        if len(set(self.extra_special_token_ids) | set(ids)) != len(ids) + len(
            self.extra_special_token_ids
        ):
            raise RuntimeError(
                f'extra_special_tokens {self.extra_special_tokens}'
                f' do not map to distinct new ids in {path!r}'
            )
        kept_ids = set(ids) | set(self.extra_special_token_ids)
        self._skip_ids = frozenset(i for i in tok.all_special_ids if i not in kept_ids)

    def _how_to_make(self, path: str) -> str:
        coder_json = json.dumps(self.box_coder.config())
        return (
            'Train a word-level tokenizer there with\n    python '
            'tools/data/build_tokenizer.py CONFIG (from the recipe\'s training '
            'data), or\n    python tools/data/build_tokenizer.py --texts '
            f"<train_texts.txt> --out {path} --box-coder '{coder_json}'\nor "
            'save any transformers tokenizer there with '
            '`tokenizer.save_pretrained(DIR)`.'
        )

    @staticmethod
    def _check_extra(tokens, location_tokens):
        if isinstance(tokens, str):
            raise TypeError(
                f'extra_special_tokens must be a list of strings, not one string ({tokens!r})'
            )
        tokens = tuple(tokens or ())
        for t in tokens:
            if not isinstance(t, str) or not t or any(c.isspace() for c in t):
                raise ValueError(
                    f'extra_special_tokens must be non-empty strings without whitespace, got {t!r}'
                )
        if len(set(tokens)) != len(tokens):
            raise ValueError(f'extra_special_tokens hold duplicates: {tokens}')
        clash = sorted(set(tokens) & set(location_tokens))
        if clash:
            raise ValueError(
                f'extra_special_tokens {clash[:3]} are location tokens of the box coder already'
            )
        return tokens

    # ------------------------------------------------------------ vocabulary
    @property
    def num_locations(self) -> int:
        return self.box_coder.num_locations

    def encode_box(self, box_xyxy, img_wh) -> list:
        """One box -> the ids of its location tokens (no special tokens)."""
        idx = self.box_coder.encode_indices(box_xyxy, img_wh)
        return self.location_token_ids[idx].tolist()

    def batch_decode(self, ids, skip_special_tokens: bool = True) -> list:
        """Id sequences -> texts, location tokens kept.

        Negative ids (e.g. the ignore index -100 of targets) are always
        dropped. With ``skip_special_tokens`` the special tokens of the
        tokenizer (pad, bos, eos, unk, mask, ...) are dropped, but never the
        location tokens or the ``extra_special_tokens`` (span-masking
        sentinels), although they are special added tokens.

        Args:
            ids: ``[B, T]`` tensor / array or list of id lists.
            skip_special_tokens (bool): see above.

        Returns:
            list[str]: ``B`` texts, e.g. ``'person <loc_40> <loc_1558> ...'``.
        """
        return super().batch_decode(ids, skip_special_tokens)

    def __repr__(self):
        return (
            f'{type(self).__name__}(path={self.path!r}, '
            f'box_coder={self.box_coder!r}, max_length={self.max_length},'
            + (
                f' extra_special_tokens={len(self.extra_special_tokens)},'
                if self.extra_special_tokens
                else ''
            )
            + f' vocab={len(self)})'
        )


# ---------------------------------------------------------------- building
_CACHE = {}
_CACHE_LOCK = threading.Lock()


def _canonical(obj):
    """A JSON-able, order-independent form of a config, for the cache key."""
    if isinstance(obj, BaseBoxCoder):
        return _canonical(obj.config())
    if isinstance(obj, type):
        return obj.__name__
    if hasattr(obj, 'items'):
        return {str(k): _canonical(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_canonical(v) for v in obj]
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    return repr(obj)


def build_tokenizer(cfg):
    """Build a tokenizer once per process and configuration.

    Equal configs (same type, path, box coder, ``max_length``; relative paths
    resolved against the working directory) return the same instance, so a
    model and its data pipeline share one tokenizer and one vocabulary.

    Args:
        cfg (dict | VLTokenizer): a config in ``TOKENIZERS`` (``type``
            defaults to ``'VLTokenizer'``), or a built tokenizer (returned as
            is).
    """
    if not hasattr(cfg, 'items'):
        if hasattr(cfg, 'batch_decode') and hasattr(cfg, 'encode'):
            return cfg
        raise TypeError(f'build_tokenizer takes a config dict or a tokenizer, got {cfg!r}')
    cfg = dict(cfg)
    cfg.setdefault('type', 'VLTokenizer')
    key_cfg = _canonical(cfg)
    if isinstance(key_cfg.get('path'), str):
        key_cfg['path'] = osp.abspath(key_cfg['path'])
    key = json.dumps(key_cfg, sort_keys=True)
    with _CACHE_LOCK:
        if key not in _CACHE:
            _CACHE[key] = TOKENIZERS.build(cfg)
        return _CACHE[key]


def clear_tokenizer_cache():
    """Forget the tokenizers built by :func:`build_tokenizer`."""
    with _CACHE_LOCK:
        _CACHE.clear()
