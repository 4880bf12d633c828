from .hooks import *  # noqa: F401,F403
from .loops import *  # noqa: F401,F403
from .optim import *  # noqa: F401,F403
from .runner import (
    build_runner,
    config_from_args,
    explain_registry_errors,
    finish_distributed,
    prepare_config,
    setup_vltoolkit,
)

__all__ = [
    'build_runner',
    'prepare_config',
    'config_from_args',
    'explain_registry_errors',
    'finish_distributed',
    'setup_vltoolkit',
]
