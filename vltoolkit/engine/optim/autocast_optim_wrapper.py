"""Mixed precision that also works on the CPU."""

from contextlib import contextmanager

import torch
from mmengine.device import get_device
from mmengine.optim import OptimWrapper

from vltoolkit.registry import OPTIM_WRAPPERS


@OPTIM_WRAPPERS.register_module()
class AutocastOptimWrapper(OptimWrapper):
    """``OptimWrapper`` running the forward under ``torch.autocast``.

    mmengine's ``AmpOptimWrapper`` asserts a GPU; this one autocasts on the
    current device (CPU included) with ``dtype`` (default bfloat16, which
    needs no loss scaling). Parameters and optimizer states stay float32.
    ``tools/train.py --amp`` picks ``AmpOptimWrapper`` on CUDA and this
    wrapper elsewhere.
    """

    def __init__(self, dtype='bfloat16', device_type=None, **kwargs):
        super().__init__(**kwargs)
        self.cast_dtype = getattr(torch, dtype) if isinstance(dtype, str) else dtype
        self.device_type = device_type

    @contextmanager
    def optim_context(self, model):
        device = self.device_type or get_device()
        with (
            super().optim_context(model),
            torch.autocast(device_type=device, dtype=self.cast_dtype),
        ):
            yield
