"""Build an mmengine Runner with vltoolkit's fixes for this stack applied."""
import contextlib
import os
import os.path as osp
import time

from mmengine.config import Config
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from vltoolkit.registry import explain_unknown_type
from .dist import cpu_ddp_wrapper_cfg, init_dist_if_needed


def setup_vltoolkit(extra_safe_globals=()) -> None:
    """Idempotent process set-up: the ``pkg_resources`` shim (setuptools >=
    82) and checkpoint loading through the weights-only allowlist (plus the
    config's ``checkpoint_safe_globals``)."""
    from vltoolkit.engine.checkpoint import register_safe_checkpoint_loaders
    from vltoolkit.utils import patch_mmengine_pkg_resources
    patch_mmengine_pkg_resources()
    register_safe_checkpoint_loaders(tuple(extra_safe_globals))


def unique_experiment_name(cfg: Config) -> str:
    """``{config}_{YYYYmmdd_HHMMSS}_{ms}{pid}``: mmengine names its logger,
    visualizer and default scope after the experiment, and two Runners
    built in the same second would otherwise share them."""
    stem = osp.splitext(osp.basename(cfg.filename or 'config'))[0]
    now = time.time()
    return (f'{stem}_{time.strftime("%Y%m%d_%H%M%S", time.localtime(now))}'
            f'_{int(now * 1000) % 1000:03d}{os.getpid()}')


@contextlib.contextmanager
def explain_registry_errors():
    """Re-raise mmengine's bare ``KeyError`` for an unregistered type as an
    ``UnknownTypeError`` with the closest registered names."""
    try:
        yield
    except KeyError as err:
        better = explain_unknown_type(err)
        if better is not None:
            raise better from err
        raise


def build_runner(cfg: Config, launcher: str = 'none') -> Runner:
    """``Runner.from_cfg`` (or ``runner_type``) after :func:`setup_vltoolkit`,
    creating the gloo process group on CPU under torchrun and giving the run
    a unique experiment name unless the config sets one."""
    setup_vltoolkit(cfg.get('checkpoint_safe_globals', ()))
    cfg.launcher = launcher
    if launcher != 'none':
        init_dist_if_needed(cfg, launcher)
        cpu_ddp_wrapper_cfg(cfg)
    if not cfg.get('experiment_name'):
        cfg.experiment_name = unique_experiment_name(cfg)
    with explain_registry_errors():
        if 'runner_type' in cfg:
            return RUNNERS.build(cfg)
        return Runner.from_cfg(cfg)
