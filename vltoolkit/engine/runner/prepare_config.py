"""One config preparation for every entry point: :func:`prepare_config`.

``tools/train.py`` and ``tools/test.py`` (through :func:`config_from_args`),
:func:`~vltoolkit.engine.build_runner`, the inferencer
(:class:`~vltoolkit.apis.VLInferencer`, hence ``tools/infer.py`` and
``demo/web_demo.py``) and the tools that read a recipe without running it
(``make_toy_vlm.py``, ``build_tokenizer.py``, ``count_params.py``, ...) all
read a config through it, so an override means the same everywhere. In order:

1. read the config (a path; a :class:`~mmengine.config.Config` is prepared
   in place);
2. merge ``--cfg-options`` (:func:`~vltoolkit.utils.config_refs.merge_overrides`:
   a key close to an existing one but missing is refused with the close
   keys; an override through ``${key}`` edits ``key``);
3. the command-line flags, which win over ``--cfg-options``: ``work_dir``,
   ``strategy`` (a fragment of ``configs/_base_/strategies``), ``amp``,
   ``resume``, ``vis_backends`` (experiment trackers);
4. fill the ``${...}`` references
   (:func:`~vltoolkit.utils.config_refs.resolve_config_refs`); ``load_from``
   only with ``resolve_load_from=True`` (``build_runner``): ``tools/test.py``
   replaces it with its checkpoint, and a chained recipe's
   ``${last_checkpoint:...}`` must not fail in a tool that never loads it;
5. the process set-up the config asks for (its ``checkpoint_safe_globals``,
   :func:`vltoolkit.compat.setup_vltoolkit`).

What only a run needs (hook-argument and loop checks, the pre-run and
checkpoint hooks, the process group, the strategy's model wrapper, missing
trackers dropped) is added by ``build_runner`` once the config is prepared.
"""

import argparse
import os
from typing import Optional, Sequence, Union

from mmengine.config import Config

from vltoolkit.compat import setup_vltoolkit
from vltoolkit.utils.cli import default_work_dir
from vltoolkit.utils.config_refs import merge_overrides, resolve_config_refs

__all__ = ['prepare_config', 'config_from_args']


def prepare_config(
    config: Union[str, Config],
    cfg_options: Optional[dict] = None,
    *,
    work_dir: Optional[str] = None,
    strategy: Optional[str] = None,
    amp: bool = False,
    resume: Optional[str] = None,
    vis_backends: Optional[Sequence[str]] = None,
    resolve_load_from: bool = False,
) -> Config:
    """Read ``config`` and make it ready to use (the steps in the module
    docstring); returns the config (the same object when a Config is given).

    Args:
        config: a config file, or a Config (prepared in place).
        cfg_options: ``--cfg-options`` as ``{'a.b': value}``.
        work_dir: ``--work-dir``.
        strategy: ``--strategy`` (a name such as ``'fsdp'`` or a fragment file).
        amp: ``--amp``: the optimizer wrapper's mixed-precision twin.
        resume: ``--resume``: ``'auto'`` (the work dir's latest checkpoint)
            or a checkpoint path.
        vis_backends: ``--vis-backend`` names (``tensorboard``, ``wandb``, ...).
        resolve_load_from: fill ``${...}`` in ``load_from`` too.
    """
    cfg = config if isinstance(config, Config) else Config.fromfile(config)
    merge_overrides(cfg, cfg_options)
    if work_dir is not None:
        cfg.work_dir = work_dir
    if strategy:
        from .strategy import apply_strategy

        apply_strategy(cfg, strategy)
    if amp:
        from vltoolkit.engine.optim.mixed_precision import amp_optim_wrapper_cfg

        cfg.optim_wrapper = amp_optim_wrapper_cfg(cfg.optim_wrapper)
    if resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif resume is not None:
        cfg.resume, cfg.load_from = True, resume
    if vis_backends:
        from vltoolkit.visualization.trackers import tracker_backends

        cfg.visualizer.vis_backends = tracker_backends(vis_backends)
    resolve_config_refs(cfg, skip=() if resolve_load_from else ('load_from',))
    setup_vltoolkit(cfg.get('checkpoint_safe_globals', ()))
    return cfg


def config_from_args(args: argparse.Namespace, config: Optional[Config] = None) -> Config:
    """:func:`prepare_config` of ``args.config`` (or of ``config``, read
    already) with the options of :func:`vltoolkit.utils.cli.add_common_args`
    (``--cfg-options`` first, so the explicit flags win); a config without
    ``work_dir`` gets ``work_dirs/<folder>/<recipe>``; exports ``LOCAL_RANK``
    for the launcher."""
    os.environ.setdefault('LOCAL_RANK', str(getattr(args, 'local_rank', 0)))
    cfg = prepare_config(
        args.config if config is None else config,
        args.cfg_options,
        work_dir=args.work_dir,
        strategy=getattr(args, 'strategy', None),
        amp=getattr(args, 'amp', False),
        resume=getattr(args, 'resume', None),
        vis_backends=getattr(args, 'vis_backend', None),
    )
    if cfg.get('work_dir') is None:
        cfg.work_dir = default_work_dir(args.config)
    if getattr(args, 'resume_changes', None):  # a resume that changes settings
        cfg.resume_changes = args.resume_changes
    return cfg
