"""Pick the mixed-precision flavour of an optimizer wrapper for the device."""

from typing import Optional

import torch

# each plain wrapper's twin for (CUDA, elsewhere)
AMP_WRAPPERS = {
    'OptimWrapper': ('AmpOptimWrapper', 'AutocastOptimWrapper'),
    'ExactAccumulationOptimWrapper': (
        'ExactAccumulationAmpOptimWrapper',
        'ExactAccumulationAutocastOptimWrapper',
    ),
}


def best_amp_dtype(device: Optional[str] = None) -> str:
    """``'bfloat16'`` on CPUs and on GPUs that support it (Ampere and newer),
    ``'float16'`` on older GPUs. bf16 has fp32's exponent range, so it needs
    no loss scaling; fp16 does."""
    device = device or ('cuda' if torch.cuda.is_available() else 'cpu')
    if device.startswith('cuda') and not torch.cuda.is_bf16_supported():
        return 'float16'
    return 'bfloat16'


def amp_optim_wrapper_cfg(wrapper_cfg: dict, device: Optional[str] = None) -> dict:
    """``wrapper_cfg`` turned into its mixed-precision twin.

    On CUDA: mmengine's ``AmpOptimWrapper`` (or the exact-accumulation twin)
    in bf16 where the GPU supports it, else fp16 with dynamic loss scaling.
    Elsewhere: :class:`AutocastOptimWrapper` in bf16 (mmengine's
    ``AmpOptimWrapper`` asserts a GPU). A ``dtype`` already in the config is
    kept; a wrapper that is already mixed precision, or unknown here, is
    returned as is. ``tools/train.py --amp`` calls this.
    """
    device = device or ('cuda' if torch.cuda.is_available() else 'cpu')
    wrapper_type = wrapper_cfg.get('type', 'OptimWrapper')
    if wrapper_type not in AMP_WRAPPERS:
        return wrapper_cfg
    wrapper_cfg = type(wrapper_cfg)(wrapper_cfg)  # a copy, ConfigDict stays one
    gpu, cpu = AMP_WRAPPERS[wrapper_type]
    dtype = wrapper_cfg.get('dtype') or best_amp_dtype(device)
    if device.startswith('cuda'):
        wrapper_cfg.update(type=gpu, dtype=dtype)
        if dtype == 'float16':
            wrapper_cfg.setdefault('loss_scale', 'dynamic')
    else:
        wrapper_cfg.update(type=cpu, dtype=dtype)
    return wrapper_cfg
