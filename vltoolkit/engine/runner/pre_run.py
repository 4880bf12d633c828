"""What ``build_runner`` checks and adds before a run starts (one place).

- :func:`add_checkpoint_match_hook`: checkpoints are checked against the
  model before they load (strict for test / resume; a report and a floor
  for fine-tuning, from the top-level keys ``load_from_min_match`` and
  ``allow_partial_load``).
- :func:`set_dist_timeout`: the distributed timeout
  ``env_cfg.dist_cfg.timeout`` (seconds) gets a default and is checked.
"""
import numbers

from mmengine.config import Config

#: top-level config keys read here (not Runner arguments)
RELIABILITY_KEYS = ('load_from_min_match', 'allow_partial_load')


def add_checkpoint_match_hook(cfg: Config) -> None:
    """Append a ``CheckpointMatchHook`` to ``cfg.custom_hooks`` unless the
    config already has one."""
    hooks = list(cfg.get('custom_hooks') or [])
    if any(isinstance(h, dict) and str(h.get('type')).endswith('CheckpointMatchHook')
           for h in hooks):
        return
    # scoped: found whatever the config's default_scope
    hooks.append(dict(type='vltoolkit.CheckpointMatchHook',
                      min_match=cfg.get('load_from_min_match', 0.5),
                      allow_partial=cfg.get('allow_partial_load', False)))
    cfg.custom_hooks = hooks


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
    if isinstance(timeout, bool) or not isinstance(timeout, numbers.Real) \
            or timeout <= 0:
        raise ValueError(
            f'env_cfg.dist_cfg.timeout={timeout!r} in {cfg.filename or "the config"}: '
            'give the seconds a collective waits for the other ranks, e.g. '
            f'env_cfg.dist_cfg.timeout={DEFAULT_DIST_TIMEOUT_S}')
    cfg.env_cfg = dict(env_cfg, dist_cfg=dist_cfg)


def prepare_run(cfg: Config) -> None:
    """Everything :func:`~vltoolkit.engine.build_runner` does to ``cfg``
    before the Runner (and the process group) is built."""
    set_dist_timeout(cfg)
    add_checkpoint_match_hook(cfg)
