"""Generate with exactly the recipe's settings.

A pretrained folder's ``generation_config.json`` (BART-style folders ship
``no_repeat_ngram_size=3``, ``num_beams=4``, a forced BOS) becomes the
model's ``generation_config``, and transformers fills every setting a
``generate()`` call leaves unset from it, even when a ``generation_config``
is passed. With location tokens, ``no_repeat_ngram_size`` silently forbids
legal answers (a box whose corners share a bin). So every model family that
generates replaces the model's ``generation_config`` with one built only
from the recipe's ``generation_cfg`` and the token ids the model needs:
:func:`build_generation_config` + :func:`use_generation_config`.
"""

import difflib
from typing import Optional

from mmengine.logging import print_log
from transformers import GenerationConfig

__all__ = ['build_generation_config', 'use_generation_config', 'generation_config_keys']

#: set by the model from its tokenizer, not by the recipe
TOKEN_ID_KEYS = ('pad_token_id', 'eos_token_id', 'bos_token_id', 'decoder_start_token_id')


def generation_config_keys() -> set:
    """The settings ``transformers.GenerationConfig`` knows."""
    return {k for k in vars(GenerationConfig()) if not k.startswith('_')}


def build_generation_config(
    generation_cfg: dict,
    *,
    pad_token_id: Optional[int] = None,
    eos_token_id: Optional[int] = None,
    bos_token_id: Optional[int] = None,
    decoder_start_token_id: Optional[int] = None,
    where: str = 'model.generation_cfg',
) -> GenerationConfig:
    """A ``GenerationConfig`` holding ``generation_cfg`` and the given token
    ids, nothing else (no pretrained folder's defaults).

    Raises:
        ValueError: a key ``GenerationConfig`` does not know (transformers
            would keep it as an unused custom entry, so a typo such as
            ``num_beam=4`` would silently do nothing), a token id in
            ``generation_cfg``, or settings transformers finds inconsistent
            (``GenerationConfig.validate(strict=True)``). ``where`` names
            the config key in the message.
    """
    cfg = dict(generation_cfg or {})
    known = generation_config_keys()
    for key in cfg:
        if key in TOKEN_ID_KEYS:
            raise ValueError(
                f'{where}: {key} is set from the tokenizer; remove it from generation_cfg'
            )
        if key not in known:
            close = difflib.get_close_matches(key, sorted(known), n=3)
            hint = f' (did you mean {", ".join(close)}?)' if close else ''
            raise ValueError(
                f'{where}: {key!r} is not a generate() setting{hint}; '
                'the keys are those of transformers.GenerationConfig'
            )
    ids = dict(
        pad_token_id=pad_token_id,
        eos_token_id=eos_token_id,
        bos_token_id=bos_token_id,
        decoder_start_token_id=decoder_start_token_id,
    )
    config = GenerationConfig(**{k: v for k, v in ids.items() if v is not None}, **cfg)
    try:
        config.validate(strict=True)
    except ValueError as err:
        raise ValueError(f'{where}={cfg}: {err}') from None
    return config


def use_generation_config(
    model, config: GenerationConfig, name: str = 'generation'
) -> GenerationConfig:
    """Make ``config`` the ``generation_config`` of the transformers
    ``model`` (replacing what its pretrained folder carried) and log it."""
    old = getattr(model, 'generation_config', None)
    dropped = {}
    if old is not None:
        mine = config.to_diff_dict()
        dropped = {
            k: v
            for k, v in old.to_diff_dict().items()
            if k not in mine and k != 'transformers_version'
        }
    model.generation_config = config
    settings = {k: v for k, v in config.to_diff_dict().items() if k != 'transformers_version'}
    msg = f'{name} config in use: {settings}'
    if dropped:
        msg += f' (ignored from the pretrained folder: {dropped})'
    print_log(msg, logger='current')
    return config
