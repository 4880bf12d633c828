"""Peak tensor memory of a piece of code, on any device (the CPU included)."""
from typing import Callable, Dict

import torch.nn as nn


def peak_tensor_memory(fn: Callable[[], object], *modules: nn.Module
                       ) -> Dict[str, int]:
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
    from torch.distributed._tools.mem_tracker import MemTracker
    tracker = MemTracker()
    if modules:
        tracker.track_external(*modules)
    with tracker:
        fn()
    peak = tracker.get_tracker_snapshot('peak')
    return {str(device): int(stats['Total']) for device, stats in peak.items()}
