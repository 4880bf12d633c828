"""Zero-shot evaluation: test a pretrained VLM with no checkpoint of ours."""

from typing import Optional

ZERO_SHOT = ('none', 'zero-shot')


def checkpoint_to_load(checkpoint: str, model_cfg) -> Optional[str]:
    """The ``load_from`` of ``tools/test.py``: ``checkpoint`` as given, or
    None for ``none`` / ``zero-shot``, which evaluates the weights the model
    builds itself with (its ``pretrained=`` hub name or folder).

    Raises:
        ValueError: zero-shot asked of a model without ``pretrained=``
            (random weights would be evaluated).
    """
    if str(checkpoint).lower() not in ZERO_SHOT:
        return checkpoint
    if not model_cfg.get('pretrained'):
        raise ValueError(
            f'checkpoint {checkpoint!r} (zero-shot) evaluates the weights the '
            f"model loads itself, but model type {model_cfg.get('type')!r} has "
            'no `pretrained=` (it would be random): give a checkpoint file, or '
            'a pretrained VLM recipe (docs/pretrained_vlms.md)'
        )
    return None
