from .hooks import *  # noqa: F401,F403
from .loops import *  # noqa: F401,F403
from .optim import *  # noqa: F401,F403
from .runner import build_runner, explain_registry_errors, finish_distributed, setup_vltoolkit

__all__ = ['build_runner', 'explain_registry_errors', 'finish_distributed', 'setup_vltoolkit']
