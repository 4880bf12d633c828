"""Small helpers shared across vltoolkit.

* :func:`patch_mmengine_pkg_resources` and the ``importlib`` versions of
  mmengine's package helpers (:mod:`vltoolkit.utils.compat`);
* :class:`UnknownTypeError` (defined in :mod:`vltoolkit.registry`);
* the safe checkpoint-loading API (defined in
  :mod:`vltoolkit.engine.checkpoint`), re-exported for convenience.

The re-exports are resolved lazily so that importing ``vltoolkit.utils``
stays cheap and cannot create import cycles.
"""
import importlib

from .compat import (get_installed_path, is_installed, package2module,
                     patch_mmengine_pkg_resources, pkg_resources_available)
from .progress import ProgressBar, progress_mode, track

_LAZY = {
    'UnknownTypeError': 'vltoolkit.registry',
    'CheckpointError': 'vltoolkit.engine.checkpoint',
    'MMENGINE_SAFE_GLOBALS': 'vltoolkit.engine.checkpoint',
    'add_safe_globals': 'vltoolkit.engine.checkpoint',
    'safe_torch_load': 'vltoolkit.engine.checkpoint',
    'register_safe_checkpoint_loaders': 'vltoolkit.engine.checkpoint',
}

__all__ = [
    'patch_mmengine_pkg_resources', 'pkg_resources_available', 'is_installed',
    'get_installed_path', 'package2module', 'ProgressBar', 'progress_mode',
    'track', *_LAZY
]


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')


def __dir__():
    return sorted(set(globals()) | set(__all__))
