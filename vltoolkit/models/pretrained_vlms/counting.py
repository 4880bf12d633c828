"""Parameter counts of a pretrained VLM recipe without its weights.

:func:`count_without_weights` builds the transformers model of a recipe from
a config dict (the released checkpoint's sizes) on PyTorch's ``meta`` device
(no memory, no file, no download), applies the recipe's ``frozen_modules``
and ``lora`` exactly as the wrapper does, and counts. The numbers are those
of the model built from ``pretrained=`` (same modules, same names).
"""

import torch
import torch.nn as nn

from vltoolkit.registry import MODELS

from ..adapters import apply_lora
from ..utils.freeze import count_parameters, freeze_modules


def count_without_weights(model_cfg: dict, hf_config: dict) -> list:
    """Rows ``(module, total, trainable)`` (see
    :func:`~vltoolkit.models.utils.freeze.count_parameters`) of the
    wrapper ``model_cfg['type']`` around a model of config ``hf_config``.

    Args:
        model_cfg (dict): the recipe's ``model`` (its ``frozen_modules`` and
            ``lora`` are applied).
        hf_config (dict): kwargs of the family's config class.
    """
    import transformers

    wrapper = MODELS.get(model_cfg['type'])
    if wrapper is None or not hasattr(wrapper, 'hf_class_name'):
        raise ValueError(f"model type {model_cfg['type']!r} is not a pretrained VLM wrapper")
    hf_class = getattr(transformers, wrapper.hf_class_name)
    config_class = getattr(transformers, wrapper.hf_config_class_name)
    holder = nn.Module()  # same module names as the wrapper: `hf_model.*`
    with torch.device('meta'):
        holder.hf_model = hf_class(config_class(**dict(hf_config)))
        freeze_modules(holder, model_cfg.get('frozen_modules', ()))
        apply_lora(holder, model_cfg.get('lora'))
    return count_parameters(holder)
