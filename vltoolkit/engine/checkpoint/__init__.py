"""Safe (``weights_only=True``) checkpoint loading for mmengine runners.

See :mod:`vltoolkit.engine.checkpoint.safe_load` and ``docs/checkpoints.md``.
"""
from .safe_load import (MMENGINE_SAFE_GLOBALS, SAFE_GLOBALS_CFG_KEY,
                        CheckpointError, add_safe_globals, get_safe_globals,
                        load_from_http, load_from_local,
                        register_safe_checkpoint_loaders, safe_torch_load)

__all__ = [
    'CheckpointError', 'MMENGINE_SAFE_GLOBALS', 'SAFE_GLOBALS_CFG_KEY',
    'add_safe_globals', 'get_safe_globals', 'safe_torch_load',
    'load_from_local', 'load_from_http', 'register_safe_checkpoint_loaders'
]
