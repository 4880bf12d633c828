"""A checkpoint saved without LoRA adapters, loaded into a model with them.

peft wraps every LoRA target ``X`` (a ``nn.Linear``) in a ``LoraLayer`` whose
original weights move to ``X.base_layer``: the model's keys become
``X.base_layer.weight`` / ``X.base_layer.bias`` next to ``X.lora_A...`` and
``X.lora_B...``. A checkpoint of the same model trained without adapters (a
first stage that trains only some rows, e.g. the added location tokens'
``*_loctokens_rows.py`` recipes) stores them as
``X.weight`` / ``X.bias``, so a non-strict load skips them and the
``load_from`` check sees most of the model missing.

:func:`map_to_lora_base_layers` renames those keys of the checkpoint to the
base layers the model has (the adapters stay as initialised: ``lora_B`` is
zero, the wrapped layer computes what the checkpoint's layer did).
"""

import re
from typing import Dict, Iterable, Sequence, Tuple

__all__ = ['map_to_lora_base_layers']

_LEAF = re.compile(r'\.(weight|bias)$')


def map_to_lora_base_layers(
    state: Dict[str, object],
    model_keys: Iterable[str],
    revise_keys: Sequence[Tuple[str, str]] = (),
) -> Dict[str, str]:
    """Rename, in place, the keys ``X.weight`` / ``X.bias`` of ``state``
    that the model lacks but holds as ``X.base_layer.weight`` /
    ``X.base_layer.bias``, unless ``state`` has that key already.

    ``revise_keys`` (``(pattern, replacement)`` pairs, as the checkpoint
    loader applies them, e.g. ``('^module\\.', '')``) map a checkpoint key to
    the model's name before the comparison; the rename keeps the key's own
    prefix. Returns ``{old key: new key}`` for the renamed keys.
    """
    model_keys = set(model_keys)

    def revised(key: str) -> str:
        for pattern, repl in revise_keys:
            key = re.sub(pattern, repl, key)
        return key

    present = {revised(k) for k in state}
    renamed = {}
    for key in list(state):
        name = revised(key)
        if name in model_keys or not _LEAF.search(name):
            continue
        base = _LEAF.sub(r'.base_layer.\1', name)
        if base in model_keys and base not in present:
            new_key = _LEAF.sub(r'.base_layer.\1', key)
            state[new_key] = state.pop(key)
            renamed[key] = new_key
    return renamed
