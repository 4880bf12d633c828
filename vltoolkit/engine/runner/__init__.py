"""Runner building; the workarounds it applies live in :mod:`vltoolkit.compat`
and those the tools and tests call are re-exported here."""

from vltoolkit.compat import setup_vltoolkit
from vltoolkit.compat.experiment_name import unique_experiment_name
from vltoolkit.compat.gloo_exit import finish_distributed
from vltoolkit.compat.registry_errors import explain_registry_errors

from .build import build_runner
from .config_checks import ConfigError, explain_config_errors
from .prepare_config import config_from_args, prepare_config

__all__ = [
    'build_runner',
    'prepare_config',
    'config_from_args',
    'explain_registry_errors',
    'finish_distributed',
    'setup_vltoolkit',
    'unique_experiment_name',
    'ConfigError',
    'explain_config_errors',
]
