"""Which attention kernel a transformers model uses (``attn_implementation``)."""

import importlib.util
from typing import Optional

import torch

ATTN_IMPLEMENTATIONS = ('eager', 'sdpa', 'flash_attention_2')


def flash_attn_available() -> bool:
    """flash-attn is installed and a CUDA GPU is there to run it."""
    return importlib.util.find_spec('flash_attn') is not None and torch.cuda.is_available()


def choose_attn_implementation(model_cls, requested: Optional[str] = None) -> Optional[str]:
    """The ``attn_implementation`` to build ``model_cls`` with.

    ``requested=None`` (the default, ``'auto'`` alike) picks the fastest the
    class supports here: ``flash_attention_2`` when flash-attn is installed
    on a CUDA machine, else ``sdpa`` (PyTorch's fused
    ``scaled_dot_product_attention``), else ``None`` (transformers' default,
    eager). An explicit name is checked against the class and the machine.
    """
    supports_flash = getattr(model_cls, '_supports_flash_attn', False) or getattr(
        model_cls, '_supports_flash_attn_2', False
    )
    supports_sdpa = getattr(model_cls, '_supports_sdpa', False)
    if requested in (None, 'auto'):
        if supports_flash and flash_attn_available():
            return 'flash_attention_2'
        return 'sdpa' if supports_sdpa else None
    if requested not in ATTN_IMPLEMENTATIONS:
        raise ValueError(
            f'attn_implementation={requested!r}: use one of {ATTN_IMPLEMENTATIONS} or None (auto)'
        )
    if requested == 'flash_attention_2':
        if not supports_flash:
            raise ValueError(
                f'{model_cls.__name__} has no flash-attention '
                "support; use attn_implementation='sdpa'"
            )
        if not flash_attn_available():
            raise ValueError(
                "attn_implementation='flash_attention_2' needs the flash-attn "
                'package and a CUDA GPU (pip install flash-attn '
                "--no-build-isolation); use 'sdpa' elsewhere"
            )
    if requested == 'sdpa' and not supports_sdpa:
        raise ValueError(
            f'{model_cls.__name__} has no sdpa attention; use attn_implementation=\'eager\''
        )
    return requested
