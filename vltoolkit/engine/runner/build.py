"""Build an mmengine Runner with vltoolkit's library workarounds applied."""

from mmengine.config import Config
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from vltoolkit.compat.cpu_distributed import cpu_ddp_wrapper_cfg, init_dist_if_needed
from vltoolkit.compat.experiment_name import unique_experiment_name
from vltoolkit.compat.registry_errors import explain_registry_errors
from vltoolkit.visualization.trackers import drop_missing_trackers

from .config_checks import explain_config_errors
from .pre_run import prepare_run
from .prepare_config import prepare_config
from .strategy import prepare_strategy_cfg


def add_schedule_check(cfg: Config) -> None:
    """Every run checks its schedule before the first step
    (:class:`~vltoolkit.engine.hooks.ScheduleCheckHook`), unless the config
    already configures the check."""
    hooks = list(cfg.get('custom_hooks') or [])
    names = ('ScheduleCheckHook', 'vltoolkit.ScheduleCheckHook')  # scoped: any default_scope
    if not any(isinstance(h, dict) and h.get('type') in names for h in hooks):
        cfg.custom_hooks = hooks + [dict(type='vltoolkit.ScheduleCheckHook')]


def build_runner(cfg: Config, launcher: str = 'none') -> Runner:
    """``Runner.from_cfg`` (or ``runner_type``) of ``cfg`` once it is
    prepared (:func:`prepare_config`: its ``${...}`` references filled,
    ``load_from`` included, and its ``checkpoint_safe_globals`` allowed;
    ``cfg`` may come straight from ``Config.fromfile``), with the run checks
    and hooks of :func:`prepare_run`, the gloo process group created on CPU
    under torchrun, and a unique experiment name unless the config sets one
    (see :mod:`vltoolkit.compat` for why each is needed)."""
    prepare_config(cfg, resolve_load_from=True)  # idempotent on a prepared config
    cfg.launcher = launcher
    notes = prepare_run(cfg)
    if launcher != 'none':
        init_dist_if_needed(cfg, launcher)
        cpu_ddp_wrapper_cfg(cfg)
    prepare_strategy_cfg(cfg)  # FlexibleRunner: FSDP / DeepSpeed / DDP
    if not cfg.get('experiment_name'):
        cfg.experiment_name = unique_experiment_name(cfg)
    drop_missing_trackers(cfg)  # W&B / MLflow / TensorBoard absent: a warning
    add_schedule_check(cfg)
    with explain_registry_errors(), explain_config_errors(cfg):
        runner = RUNNERS.build(cfg) if 'runner_type' in cfg else Runner.from_cfg(cfg)
    for note in notes:
        runner.logger.warning(note)
    return runner
