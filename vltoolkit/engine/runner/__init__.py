from .build import (build_runner, explain_registry_errors, setup_vltoolkit,
                    unique_experiment_name)
from .dist import cpu_ddp_wrapper_cfg, finish_distributed, init_dist_if_needed

__all__ = ['build_runner', 'explain_registry_errors', 'setup_vltoolkit',
           'unique_experiment_name', 'cpu_ddp_wrapper_cfg',
           'finish_distributed', 'init_dist_if_needed']
