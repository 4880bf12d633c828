"""Activation (gradient) checkpointing for any model built from timm and
transformers parts: one switch, ``grad_checkpointing=True``, per model family.

Every vltoolkit model (and the pretrained VLM wrappers) calls
:func:`enable_grad_checkpointing` on itself; it finds the timm backbones and
transformers models inside and turns on their own checkpointing, always
non-reentrant: reentrant checkpointing silently leaves the weights of a
block whose inputs need no gradient (a first block, a frozen tower's
successor) without gradients, and breaks DDP with
``find_unused_parameters=True`` (``docs/scale.md``).
"""

from typing import List

import torch.nn as nn

NON_REENTRANT = dict(use_reentrant=False)


def _is_hf_model(module: nn.Module) -> bool:
    try:
        from transformers import PreTrainedModel
    except ImportError:  # pragma: no cover - transformers is a runtime dep
        return False
    return isinstance(module, PreTrainedModel)


def _is_timm_model(module: nn.Module) -> bool:
    # every timm model has a pretrained_cfg and its own checkpointing switch
    return hasattr(module, 'pretrained_cfg') and callable(
        getattr(module, 'set_grad_checkpointing', None)
    )


def _enable_hf(model: nn.Module) -> None:
    if not getattr(model, 'supports_gradient_checkpointing', False):
        raise ValueError(
            f'{type(model).__name__} does not support gradient checkpointing '
            '(transformers `supports_gradient_checkpointing=False`); set '
            'grad_checkpointing=False for this model.'
        )
    # transformers 5 renames the switch; the old name warns until v6
    enable = getattr(model, 'activation_checkpointing_enable', None)
    if enable is not None:
        enable(activation_checkpointing_kwargs=dict(NON_REENTRANT))
    else:  # transformers 4
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs=dict(NON_REENTRANT))
    if getattr(model.config, 'use_cache', False):
        model.config.use_cache = False  # a KV cache is recomputed anyway


def enable_grad_checkpointing(model: nn.Module) -> List[str]:
    """Turn on activation checkpointing in every timm / transformers model
    inside ``model`` (``model`` itself included).

    Activations inside each transformer block are then recomputed in the
    backward pass instead of being kept: peak memory drops from
    ``O(layers x tokens x hidden)`` to about one block's worth, for about one
    extra forward pass of compute. Only the outermost timm / transformers
    model of a branch is switched (they propagate the switch to their
    blocks). Returns the dotted names of the switched modules (``''`` is
    ``model`` itself) and raises ``ValueError`` when there is none, so a
    config switch never silently does nothing.
    """
    done: List[str] = []
    for name, module in model.named_modules():
        if any(d == '' or name == d or name.startswith(d + '.') for d in done):
            continue
        if _is_hf_model(module):
            _enable_hf(module)
            done.append(name)
        elif _is_timm_model(module):
            module.set_grad_checkpointing(True)
            done.append(name)
    if not done:
        raise ValueError(
            f'grad_checkpointing=True, but {type(model).__name__} holds no timm '
            'or transformers model to checkpoint; wrap custom blocks with '
            'torch.utils.checkpoint.checkpoint(..., use_reentrant=False).'
        )
    return done
