"""mmengine 0.10.7's DeepSpeedStrategy imports DeepSpeed's removed 1-bit
optimizers.

The trap: ``DeepSpeedStrategy.__init__`` calls
``register_deepspeed_optimizers``, which imports
``deepspeed.runtime.fp16.onebit``; DeepSpeed removed the 1-bit optimizers
(deepspeedai/DeepSpeed PR #8490, issue #8489), so constructing the strategy
fails with ``ModuleNotFoundError`` on current DeepSpeed.
:func:`patch_mmengine_deepspeed` registers the optimizers that exist.

Delete when: an mmengine release guards that import (not as of 0.10.7).
"""

import importlib

__all__ = ['patch_mmengine_deepspeed']

_OPTIMIZERS = (
    ('deepspeed.ops.adam', 'DeepSpeedCPUAdam'),
    ('deepspeed.ops.adam', 'FusedAdam'),
    ('deepspeed.ops.lamb', 'FusedLamb'),
    ('deepspeed.runtime.fp16.onebit', 'OnebitAdam'),
    ('deepspeed.runtime.fp16.onebit', 'OnebitLamb'),
    ('deepspeed.runtime.fp16.onebit', 'ZeroOneAdam'),
)


def _register_available() -> list:
    from mmengine.registry import OPTIMIZERS

    names = []
    for module, name in _OPTIMIZERS:
        try:
            cls = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            continue
        if name not in OPTIMIZERS.module_dict:
            OPTIMIZERS.register_module(module=cls)
        names.append(name)
    return names


def patch_mmengine_deepspeed() -> None:
    """Replace mmengine's ``register_deepspeed_optimizers`` with one that
    registers only the DeepSpeed optimizers this DeepSpeed has."""
    from mmengine._strategy import deepspeed as ds_strategy

    ds_strategy.register_deepspeed_optimizers = _register_available
