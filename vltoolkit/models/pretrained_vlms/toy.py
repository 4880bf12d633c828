"""Tiny random folders of the registered VLM families, built offline.

:func:`save_toy_vlm` writes what a hub download holds, at toy size: a
tokenizer learnt from the given texts that holds the family's own special
tokens (image placeholder, the *native* location tokens, tags), a randomly
initialised model of the real architecture with tiny widths (the family's
``toy_config``), and a ``preprocessor_config.json`` with the image size,
mean and std. Recipes and tests load the folder through ``pretrained=`` (the
``from_pretrained`` path of real checkpoints). ``tools/data/make_toy_vlm.py``
is the command line. Nothing here names a family: everything comes from its
:class:`~vltoolkit.models.pretrained_vlms.family.VLMFamily`.
"""

import os

from vltoolkit.tokenization.base_box_coder import build_box_coder

from .family import FAMILIES, get_family


def location_tokens(family: str) -> list:
    """The native location tokens of a family (none for text numbers)."""
    return build_box_coder(get_family(family).box_coder).location_tokens


def _check_family(family):
    if family not in FAMILIES:
        raise ValueError(f'family {family!r}: use one of {tuple(FAMILIES)}')
    return FAMILIES[family]


def build_toy_tokenizer(family: str, texts, out_dir: str):
    """A toy tokenizer over ``texts`` holding the family's tokens: the
    family's own ``toy_tokenizer``, else a word-level one."""
    from transformers import AddedToken

    from vltoolkit.tokenization.word_level import train_word_level_tokenizer

    fam = _check_family(family)
    if fam.toy_tokenizer is not None:
        return fam.toy_tokenizer(texts, out_dir)
    special = list(fam.special_tokens) + location_tokens(family)
    tok = train_word_level_tokenizer(texts, out_dir, special_tokens=special)
    if fam.tags:
        # added as ordinary (non-special) tokens: decoding keeps them, as
        # generated answers need
        tok.add_tokens(
            [AddedToken(t, lstrip=True, rstrip=False, normalized=False) for t in fam.tags]
        )
        tok.save_pretrained(out_dir)
    return tok


def toy_config(family: str, tok, image_size: int = 96, width: int = 64) -> dict:
    """Config kwargs of a tiny model of the family for tokenizer ``tok``."""
    return _check_family(family).toy_config(tok, image_size, width)


def save_toy_vlm(
    family: str, out_dir: str, texts, image_size: int = 96, width: int = 64, seed: int = 0
) -> str:
    """Write a tiny random model folder of ``family`` to ``out_dir``.

    Args:
        family (str): a registered family name (``FAMILIES``).
        out_dir (str): the folder (tokenizer, model, preprocessor config).
        texts (Iterable[str]): texts the toy vocabulary is learnt from
            (prompts and targets of the recipes that will use it).
        image_size (int): the processor's (square) input size.
        width (int): hidden size of the language model.
        seed (int): torch seed of the random weights.

    Returns:
        str: ``out_dir``.
    """
    import torch
    import transformers

    fam = _check_family(family)
    os.makedirs(out_dir, exist_ok=True)
    tok = build_toy_tokenizer(family, texts, out_dir)
    cfg = toy_config(family, tok, image_size, width)
    config_cls = getattr(transformers, fam.wrapper.hf_config_class_name)
    model_cls = getattr(transformers, fam.wrapper.hf_class_name)
    torch.manual_seed(seed)
    model = model_cls(config_cls(**cfg))
    model.save_pretrained(out_dir)
    kwargs = (
        fam.image_processor_kwargs(image_size)
        if fam.image_processor_kwargs is not None
        else dict(size=dict(height=image_size, width=image_size))
    )
    processor_cls = getattr(transformers, fam.image_processor)
    processor_cls(
        image_mean=list(fam.image_mean), image_std=list(fam.image_std), **kwargs
    ).save_pretrained(out_dir)
    return out_dir
