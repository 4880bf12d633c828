"""A pretrained-VLM recipe's model with random weights and no file on disk.

:func:`random_weights_config` rewrites a recipe's ``model`` so that the
wrapper builds from ``config=`` (the fragment's ``hf_config``: the released
checkpoint's sizes) instead of ``pretrained=``, with a
:class:`~vltoolkit.tokenization.SizedPlaceholderTokenizer` of the model's
vocabulary in place of the tokenizer saved in the missing folder. Nothing is
read or downloaded; the model has the released architecture and parameter
count (``tools/analysis/benchmark_train.py --synthetic``). For a ``_toy``
recipe (``hf_config = None``) the architecture is the one
``tools/data/make_toy_vlm.py`` writes (the family's ``toy_config``), at a
vocabulary size given by the caller. Called through
:func:`~vltoolkit.models.utils.sizing.config_without_files`, the one way to
build any recipe's model without files.
"""

import os.path as osp
from typing import Optional

from vltoolkit.registry import MODELS
from vltoolkit.tokenization.base_box_coder import build_box_coder


class _PlaceholderIds:
    """What a family's ``toy_config`` reads of a tokenizer: its length and
    special ids (those of :class:`SizedPlaceholderTokenizer`), with the image
    placeholder as the last id and the other special tokens before it."""

    bos_token_id, pad_token_id, eos_token_id = 0, 1, 2

    def __init__(self, vocab_size: int):
        self._len = vocab_size
        self._specials = []

    def __len__(self):
        return self._len

    def convert_tokens_to_ids(self, token):
        """The first special token asked for gets the last id, the next one
        the id before it, and so on (the same token, the same id)."""
        if isinstance(token, (list, tuple)):
            return [self.convert_tokens_to_ids(t) for t in token]
        if token not in self._specials:
            self._specials.append(token)
        return self._len - 1 - self._specials.index(token)


def _text_vocab_size(hf_config: dict) -> int:
    size = (hf_config.get('text_config') or {}).get('vocab_size', hf_config.get('vocab_size'))
    if size is None:
        raise ValueError(
            'hf_config has no text_config.vocab_size (nor vocab_size): '
            'copy it from the released config.json'
        )
    return int(size)


def random_weights_config(
    model_cfg: dict,
    hf_config: Optional[dict] = None,
    toy_vocab_size: Optional[int] = None,
    image_size: int = 96,
) -> dict:
    """A copy of a pretrained-VLM ``model_cfg`` built with random weights.

    Args:
        model_cfg (dict): the recipe's ``model`` (a :class:`PretrainedVLM`
            type); its ``pretrained`` is dropped.
        hf_config (dict, optional): the fragment's ``hf_config``. None (the
            ``_toy`` fragments): the tiny architecture of
            ``tools/data/make_toy_vlm.py`` (width 64) at ``image_size``.
        toy_vocab_size (int, optional): the toy tokenizer's size, needed
            when ``hf_config`` is None (it is learnt from the toy texts).
        image_size (int): the recipe's (square) image size, toy only.

    Every tokenizer config of the model (the wrapper's, the label
    encoder's) becomes a ``SizedPlaceholderTokenizer`` whose base vocabulary,
    location tokens and all, ends before the image placeholder id, so the
    model embeds every id it can produce and random prompt ids never hit the
    image placeholder.
    """
    model_cfg = dict(model_cfg)
    wrapper = MODELS.get(model_cfg.get('type'))
    if wrapper is None or not getattr(wrapper, 'hf_class_name', ''):
        raise ValueError(f"model type {model_cfg.get('type')!r} is not a pretrained VLM wrapper")
    tokenizer = model_cfg['tokenizer']
    if hf_config is None:
        if toy_vocab_size is None:
            name = osp.basename(osp.normpath(str(model_cfg.get('pretrained'))))
            raise ValueError(
                f'the recipe has no hf_config (a _toy recipe) and its folder '
                f"{model_cfg.get('pretrained')!r} is not on disk: give the toy "
                f'tokenizer\'s size (--vocab-size {name}=N), or write the folder '
                'with tools/data/make_toy_vlm.py'
            )
        from .family import get_family

        hf_config = get_family(wrapper.__name__).toy_config(
            _PlaceholderIds(toy_vocab_size), image_size, 64
        )
    hf_config = dict(hf_config)
    vocab = _text_vocab_size(hf_config)
    image_id = hf_config.get('image_token_id', hf_config.get('image_token_index'))
    usable = min(vocab, int(image_id)) if image_id is not None else vocab
    coder = tokenizer.get('box_coder')
    n_loc = len(build_box_coder(coder).location_tokens) if coder else 0
    placeholder = dict(
        type='SizedPlaceholderTokenizer',
        vocab_size=usable - n_loc,
        box_coder=coder,
        path=tokenizer.get('path'),
        extra_special_tokens=tokenizer.get('extra_special_tokens', ()),
    )

    def swap(node):
        if isinstance(node, dict):
            if node.get('type') in ('VLTokenizer', 'HFTokenizer'):
                return dict(placeholder)
            return {k: swap(v) for k, v in node.items()}
        if isinstance(node, (list, tuple)):
            return type(node)(swap(v) for v in node)
        return node

    model_cfg = swap(model_cfg)
    model_cfg.pop('pretrained', None)
    model_cfg['config'] = hf_config
    return model_cfg
