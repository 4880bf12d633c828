"""A ``GenerationConfig`` made from the recipe alone.

``generate()`` falls back on the ``generation_config.json`` of a pretrained
folder for every key the call leaves out: BART-style folders carry
``no_repeat_ngram_size=3``, ``num_beams=4`` and forced BOS / EOS tokens,
which forbid legal answers (a box that repeats a location token) and change
the decoding the recipe asked for. :func:`build_generation_config` starts
from transformers' defaults, never from the folder, and takes only the
recipe's ``generation_cfg`` and the special token ids of the tokenizer.
"""
from transformers import GenerationConfig


def build_generation_config(generation_cfg: dict, pad_token_id=None,
                            eos_token_id=None, bos_token_id=None,
                            decoder_start_token_id=None) -> GenerationConfig:
    """A clean :class:`transformers.GenerationConfig`.

    Args:
        generation_cfg (dict): the recipe's keys (``max_new_tokens``,
            ``num_beams``, ``do_sample``, ...); unknown keys raise
            ``ValueError`` naming them.
        pad_token_id, eos_token_id, bos_token_id, decoder_start_token_id:
            from the tokenizer / model config (None keeps them unset).

    Returns:
        GenerationConfig: transformers' defaults + these keys; nothing is
        read from a pretrained folder.
    """
    cfg = dict(generation_cfg or {})
    known = set(GenerationConfig().to_dict())
    unknown = sorted(k for k in cfg if k not in known)
    if unknown:
        raise ValueError(f'generation_cfg keys {unknown} are not '
                         'GenerationConfig fields (e.g. max_new_tokens, '
                         'num_beams, do_sample, length_penalty)')
    ids = dict(pad_token_id=pad_token_id, eos_token_id=eos_token_id,
               bos_token_id=bos_token_id,
               decoder_start_token_id=decoder_start_token_id)
    for key, value in ids.items():
        if value is not None:
            cfg.setdefault(key, value)
    return GenerationConfig(**cfg)
