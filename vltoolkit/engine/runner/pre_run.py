"""What ``build_runner`` checks and adds before a run starts (one place).

- :func:`add_checkpoint_match_hook`: checkpoints are checked against the
  model before they load (strict for test / resume; a report and a floor
  for fine-tuning, from the top-level keys ``load_from_min_match`` and
  ``allow_partial_load``).
- :func:`add_pre_run_check_hook`: image files and metric task names are
  checked before the first iteration (``check_image_files`` switches the
  file scan).
- :func:`set_dist_timeout`: the distributed timeout
  ``env_cfg.dist_cfg.timeout`` (seconds) gets a default and is checked.
- :func:`resume_notes`: ``--resume`` in a work dir without a checkpoint
  starts from scratch, and says so plainly.
- hook arguments and loop counts: :mod:`.config_checks`.
- :func:`add_reliability_hooks`: a NaN / inf loss stops the run
  (``NonFiniteLossHook``) and checkpoints are pruned only after the new one
  is complete (``SafeCheckpointHook`` in place of ``CheckpointHook``), and
  a resume that changes the data, the order or the optimisation refuses or,
  with ``resume_changes='apply'``, applies the change (``ResumeGuardHook``).

Top-level config keys read here (not Runner arguments):
``load_from_min_match``, ``allow_partial_load``, ``check_image_files``,
``resume_changes`` (docs/reliability.md).
"""

import numbers
import os.path as osp
from typing import List

from mmengine.config import Config

from .config_checks import check_hook_args, check_loop_numbers


def _add_hook(cfg: Config, name: str, **kwargs) -> None:
    """Append hook ``name`` (scoped: found whatever the config's
    ``default_scope``) unless ``custom_hooks`` already has one."""
    hooks = list(cfg.get('custom_hooks') or [])
    if any(isinstance(h, dict) and str(h.get('type')).split('.')[-1] == name for h in hooks):
        return
    hooks.append(dict(type=f'vltoolkit.{name}', **kwargs))
    cfg.custom_hooks = hooks


def add_checkpoint_match_hook(cfg: Config) -> None:
    """Append a ``CheckpointMatchHook`` to ``cfg.custom_hooks`` unless the
    config already has one."""
    _add_hook(
        cfg,
        'CheckpointMatchHook',
        min_match=cfg.get('load_from_min_match', 0.5),
        allow_partial=cfg.get('allow_partial_load', False),
    )


def add_pre_run_check_hook(cfg: Config) -> None:
    """Append a ``PreRunCheckHook`` (``check_image_files``, default True)."""
    _add_hook(cfg, 'PreRunCheckHook', check_image_files=cfg.get('check_image_files', True))


def add_reliability_hooks(cfg: Config) -> None:
    """``NonFiniteLossHook`` in every run (unless ``custom_hooks`` has one)
    and ``default_hooks.checkpoint`` of type ``CheckpointHook`` turned into
    ``SafeCheckpointHook`` (same arguments)."""
    _add_hook(cfg, 'NonFiniteLossHook')
    _add_hook(cfg, 'ResumeGuardHook', changes=cfg.get('resume_changes', 'refuse'))
    hooks = cfg.get('default_hooks') or {}
    ckpt = hooks.get('checkpoint')
    if isinstance(ckpt, dict) and str(ckpt.get('type')).split('.')[-1] == 'CheckpointHook':
        ckpt['type'] = 'vltoolkit.SafeCheckpointHook'


def resume_notes(cfg: Config) -> List[str]:
    """``resume=True`` without ``load_from`` resumes from the work dir's
    ``last_checkpoint``; when there is none, the run starts from scratch
    (so that "always pass --resume" job scripts work on their first
    launch), ``resume`` is turned off (mmengine would log "resumed from
    None") and the returned note says so."""
    if not cfg.get('resume') or cfg.get('load_from'):
        return []
    from mmengine.runner import find_latest_checkpoint

    work_dir = cfg.get('work_dir') or '.'
    if find_latest_checkpoint(work_dir) is not None:
        return []
    cfg.resume = False
    return [
        f'--resume: no checkpoint to resume from in {osp.abspath(work_dir)} '
        '(no last_checkpoint file): starting from scratch.'
    ]


#: seconds a collective waits for the other ranks before failing. 15 min:
#: well above the longest legitimate wait of one rank for another in these
#: recipes (rank 0 writing a multi-GB checkpoint, first-batch compilation,
#: a slow shared file system), half of torch's 30 min default, so a rank
#: that stopped responding costs at most 15 min of every other rank's time.
DEFAULT_DIST_TIMEOUT_S = 900


def set_dist_timeout(cfg: Config) -> None:
    """``env_cfg.dist_cfg.timeout`` set to :data:`DEFAULT_DIST_TIMEOUT_S`
    when absent; refused unless a positive number of seconds."""
    env_cfg = cfg.get('env_cfg') or {}
    dist_cfg = dict(env_cfg.get('dist_cfg') or {})
    timeout = dist_cfg.setdefault('timeout', DEFAULT_DIST_TIMEOUT_S)
    if isinstance(timeout, bool) or not isinstance(timeout, numbers.Real) or timeout <= 0:
        raise ValueError(
            f'env_cfg.dist_cfg.timeout={timeout!r} in {cfg.filename or "the config"}: '
            'give the seconds a collective waits for the other ranks, e.g. '
            f'env_cfg.dist_cfg.timeout={DEFAULT_DIST_TIMEOUT_S}'
        )
    cfg.env_cfg = dict(env_cfg, dist_cfg=dist_cfg)


def prepare_run(cfg: Config) -> List[str]:
    """Everything :func:`~vltoolkit.engine.build_runner` checks and adds to
    ``cfg`` before the Runner (and the process group) is built; returns
    notes to log once the Runner's logger exists."""
    check_loop_numbers(cfg)
    check_hook_args(cfg)
    set_dist_timeout(cfg)
    add_checkpoint_match_hook(cfg)
    add_pre_run_check_hook(cfg)
    add_reliability_hooks(cfg)
    return resume_notes(cfg)
