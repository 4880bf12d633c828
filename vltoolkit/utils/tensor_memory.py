"""Peak tensor memory of a piece of code, on any device (the CPU included)."""

from typing import Callable, Dict

import torch.nn as nn


def peak_tensor_memory(fn: Callable[[], object], *modules: nn.Module) -> Dict[str, int]:
    """Run ``fn()`` and return the peak bytes of live tensor storage per
    device (``{'cpu': ..., 'cuda:0': ...}``), every tensor counted once.

    Built on PyTorch's ``MemTracker`` (``torch.distributed._tools``), which
    follows every storage created by a dispatched op until it is freed (the
    ``tracemalloc`` idea for tensors); ``modules`` (the model, the
    optimizer's model) are registered so their parameters, gradients and
    optimizer states count too. Unlike ``torch.cuda.max_memory_allocated``
    this works on the CPU, where PyTorch keeps no allocator statistics, and
    unlike the process RSS it is not blurred by the Python heap. It slows
    ``fn`` down: measure memory and time in separate runs.
    """
    tracker = _frozen_safe_tracker()
    if modules:
        tracker.track_external(*modules)
    with tracker:
        fn()
    peak = tracker.get_tracker_snapshot('peak')
    return {str(device): int(stats['Total']) for device, stats in peak.items()}


def _frozen_safe_tracker():
    """``MemTracker`` registers a gradient hook on every parameter of a
    module it enters, which raises for frozen parameters ("cannot register
    a hook on a tensor that doesn't require gradient", torch 2.14). Modules
    holding a frozen parameter are tracked without those hooks: their
    gradients' storages are still counted (created by dispatched ops), only
    not labelled as gradients, and :func:`peak_tensor_memory` reports the
    total."""
    from torch.distributed._tools.mem_tracker import MemTracker

    class FrozenSafeMemTracker(MemTracker):
        def _track_module_params_and_buffers(self, module, install_grad_hooks=True):
            if install_grad_hooks and any(not p.requires_grad for p in module.parameters()):
                install_grad_hooks = False
            return super()._track_module_params_and_buffers(
                module, install_grad_hooks=install_grad_hooks
            )

    return FrozenSafeMemTracker()
