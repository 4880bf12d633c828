"""Moved to :mod:`vltoolkit.compat` (``weights_only_checkpoint``); this
import path stays because ``docs/checkpoints.md`` published it."""

from vltoolkit.compat.weights_only_checkpoint import (  # noqa: F401
    MMENGINE_SAFE_GLOBALS,
    SAFE_GLOBALS_CFG_KEY,
    CheckpointError,
    __all__,  # noqa: F401
    add_safe_globals,
    get_safe_globals,
    load_from_http,
    load_from_local,
    register_safe_checkpoint_loaders,
    safe_torch_load,
)
