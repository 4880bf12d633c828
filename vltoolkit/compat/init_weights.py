"""Keep mmengine's ``init_weights`` away from already initialised models.

The trap (mmengine 0.10.7, ``mmengine/model/base_module.py``
``BaseModule.init_weights``): for every child that *has* an ``init_weights``
method and no true ``is_init`` attribute, mmengine calls
``child.init_weights()``. transformers' ``PreTrainedModel`` and several timm
models have such a method, so ``Runner.init_weights()`` re-initialises a model
that ``from_pretrained`` / ``timm.create_model(pretrained=True)`` just loaded
(or that a builder initialised on purpose) and silently wipes its weights.

Delete when: mmengine skips children that are not ``BaseModule``s (it does
not as of 0.10.7), or when our wrappers stop exposing foreign modules as
direct children of a ``BaseModule``.
"""

import torch.nn as nn

__all__ = ['mark_initialized']


def mark_initialized(module: nn.Module) -> nn.Module:
    """Mark ``module`` (a transformers / timm model built and initialised by
    its own library) as initialised, so mmengine's ``init_weights`` leaves it
    alone; returns it."""
    module.is_init = True
    return module
