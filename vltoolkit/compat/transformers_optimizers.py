"""mmengine imports transformers' optimizer module in every process.

The trap (mmengine 0.10.7, transformers 5): ``mmengine/optim/optimizer/builder.py``
registers transformers' ``Adafactor`` at import (``from transformers import
Adafactor``), and ``transformers.optimization`` imports the Trainer's utilities,
which import the whole modeling stack (``transformers.modeling_utils``,
``torch._dynamo``, ``torch.distributed.tensor``) and, with peft installed, peft.
Any process that imports ``mmengine.runner`` pays for it (about 2 CPU-s on
top of torch, measured with ``python -X importtime``), also a tool that never
builds an optimizer or a transformers model (``build_tokenizer.py``,
``count_params.py``) and a run whose config names no ``Adafactor``.

Here ``transformers.optimization`` is held back while mmengine's builder module
runs (its ``try / except ImportError`` then registers nothing), and
``Adafactor`` is registered as a function that imports transformers' class
when a config builds it: ``optim_wrapper=dict(optimizer=dict(type='Adafactor',
...))`` gives ``transformers.Adafactor`` as before.

Delete when: mmengine registers the transformers optimizers lazily.
"""

import sys

__all__ = ['Adafactor', 'defer_transformers_optimizers']

BUILDER = 'mmengine.optim.optimizer.builder'
HELD_BACK = 'transformers.optimization'


def Adafactor(params, **kwargs):  # noqa: N802 (the registered name is the class's)
    """``transformers.Adafactor(params, **kwargs)``, imported on first use."""
    from transformers import Adafactor as adafactor_cls

    return adafactor_cls(params, **kwargs)


def _hold_back():
    if HELD_BACK not in sys.modules:
        sys.modules[HELD_BACK] = None  # `import` raises ImportError, nothing is run


def _release():
    if HELD_BACK in sys.modules and sys.modules[HELD_BACK] is None:
        del sys.modules[HELD_BACK]


def _release_and_register():
    _release()
    from mmengine.optim.optimizer.builder import TRANSFORMERS_OPTIMIZERS
    from mmengine.registry import OPTIMIZERS

    if 'Adafactor' not in OPTIMIZERS.module_dict:
        OPTIMIZERS.register_module(name='Adafactor', module=Adafactor)
        TRANSFORMERS_OPTIMIZERS.append('Adafactor')


def defer_transformers_optimizers() -> None:
    """Before mmengine's optimizer builder is imported: hold back
    ``transformers.optimization`` while it runs, then register the lazy
    ``Adafactor``. Nothing to do once the builder is imported."""
    from .after_import import call_around_import

    if BUILDER not in sys.modules:
        call_around_import(
            BUILDER, before=_hold_back, after=_release_and_register, on_error=_release
        )
