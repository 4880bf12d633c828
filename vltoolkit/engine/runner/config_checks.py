"""Config mistakes found when the config is read, named by key and file.

- :func:`check_hook_args`: every key of ``default_hooks`` / ``custom_hooks``
  is an argument of its hook. mmengine's ``CheckpointHook`` takes
  ``**kwargs`` and passes them to ``runner.save_checkpoint`` at the first
  save, so a misspelled key (``intervl=2``) used to crash after the first
  epoch(s); here it is an error before the Runner is built.
- :func:`check_loop_numbers`: ``train_cfg.max_epochs=abc`` and friends.
- :func:`explain_config_errors` / :func:`explain_build_type_error`: a ``TypeError`` from
  building a part
  (``__init__() got an unexpected keyword argument 'weigth'``) re-raised
  with the config key that holds the argument and the config file.
"""

import contextlib
import difflib
import inspect
import numbers
import re
from typing import Iterator, Optional, Tuple

from mmengine.config import Config

#: arguments CheckpointHook passes to runner.save_checkpoint itself
_SAVE_ARGS_PASSED = {
    'self',
    'out_dir',
    'filename',
    'file_client_args',
    'save_optimizer',
    'save_param_scheduler',
    'meta',
    'by_epoch',
    'backend_args',
}


class ConfigError(ValueError):
    """A config value that cannot work, named by its key and file."""


def _where(cfg: Config) -> str:
    return f' in {cfg.filename}' if getattr(cfg, 'filename', None) else ''


def _hook_cfgs(cfg: Config) -> Iterator[Tuple[str, dict]]:
    for name, hook in (cfg.get('default_hooks') or {}).items():
        if isinstance(hook, dict):
            yield f'default_hooks.{name}', hook
    for i, hook in enumerate(cfg.get('custom_hooks') or []):
        if isinstance(hook, dict):
            yield f'custom_hooks[{i}]', hook


def _hook_class(hook_type):
    if not isinstance(hook_type, str):
        return hook_type if inspect.isclass(hook_type) else None
    from mmengine.registry import HOOKS as MMENGINE_HOOKS

    from vltoolkit.registry import HOOKS

    name = hook_type.split('.')[-1]
    return HOOKS.get(name) or MMENGINE_HOOKS.get(name)


def _extra_ok(hook_cls, cfg: Config) -> Optional[set]:
    """Keys a hook with ``**kwargs`` accepts beyond its named arguments
    (None: any)."""
    from mmengine.hooks import CheckpointHook

    if issubclass(hook_cls, CheckpointHook):
        runner_cls = _runner_class(cfg)
        params = set(inspect.signature(runner_cls.save_checkpoint).parameters)
        return params - _SAVE_ARGS_PASSED
    return None


def _runner_class(cfg: Config):
    from mmengine.runner import Runner

    runner_type = cfg.get('runner_type')
    if isinstance(runner_type, str):
        from mmengine.registry import RUNNERS

        return RUNNERS.get(runner_type) or Runner
    return runner_type if inspect.isclass(runner_type) else Runner


def check_hook_args(cfg: Config) -> None:
    """Raise :class:`ConfigError` for a hook config key its hook does not
    take (with the closest argument names)."""
    for key, hook in _hook_cfgs(cfg):
        hook_cls = _hook_class(hook.get('type'))
        if hook_cls is None:
            continue  # unknown type: the registry error says so at build
        params = inspect.signature(hook_cls.__init__).parameters
        named = {
            n for n, p in params.items() if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
        } - {'self'}
        var_kw = any(p.kind == p.VAR_KEYWORD for p in params.values())
        extra_ok = _extra_ok(hook_cls, cfg) if var_kw else set()
        for arg in hook:
            if arg in ('type', 'priority') or arg in named:
                continue
            if var_kw and (extra_ok is None or arg in extra_ok):
                continue
            close = difflib.get_close_matches(arg, sorted(named), n=2)
            hint = f' (did you mean {" or ".join(close)}?)' if close else ''
            raise ConfigError(
                f'{key}.{arg}{_where(cfg)}: {hook_cls.__name__} has no argument '
                f'{arg!r}{hint}; its arguments are {", ".join(sorted(named))}'
            )


#: loop keys that must be whole numbers (and at least 1, except val_begin)
_LOOP_INTS = ('max_epochs', 'max_iters', 'val_interval', 'val_begin')


def check_loop_numbers(cfg: Config) -> None:
    """``train_cfg`` counts are whole numbers (``--cfg-options
    train_cfg.max_epochs=abc`` arrives as the string ``'abc'``)."""
    train_cfg = cfg.get('train_cfg') or {}
    for key in _LOOP_INTS:
        if key not in train_cfg:
            continue
        value = train_cfg[key]
        low = 0 if key == 'val_begin' else 1
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
            raise ConfigError(
                f'train_cfg.{key}={value!r}{_where(cfg)}: needs a whole number '
                f'>= {low} (e.g. --cfg-options train_cfg.{key}=12)'
            )


_UNEXPECTED = re.compile(
    r"(\w+)\.__init__\(\) got an unexpected keyword "
    r"argument '(\w+)'"
)


def _find_key(node, type_name: str, arg: str, path: str = '') -> Optional[str]:
    if isinstance(node, dict):
        if arg in node and _is_type(node.get('type'), type_name):
            return f'{path}.{arg}'.lstrip('.')
        items = node.items()
    elif isinstance(node, (list, tuple)):
        items = ((f'[{i}]', v) for i, v in enumerate(node))
    else:
        return None
    for k, v in items:
        sub = f'{path}{k}' if str(k).startswith('[') else f'{path}.{k}'
        found = _find_key(v, type_name, arg, sub)
        if found:
            return found
    return None


def _registered(name: str):
    """The class registered as ``name`` in any vltoolkit registry (or its
    mmengine parent), or None."""
    from mmengine.registry import Registry

    import vltoolkit.registry as registries

    for registry in vars(registries).values():
        if isinstance(registry, Registry):
            try:
                cls = registry.get(name.split('.')[-1])
            except Exception:  # noqa: BLE001  a broken plugin is not ours to report
                cls = None
            if inspect.isclass(cls):
                return cls
    return None


def _is_type(type_cfg, class_name: str) -> bool:
    if inspect.isclass(type_cfg):
        return type_cfg.__name__ == class_name
    if not isinstance(type_cfg, str):
        return False
    if type_cfg.split('.')[-1] == class_name:
        return True
    cls = _registered(type_cfg)
    return cls is not None and cls.__name__ == class_name


def explain_build_type_error(err: TypeError, cfg: Config) -> Optional[ConfigError]:
    """A :class:`ConfigError` naming the config key and file of an argument
    mmengine's builder reports as unexpected, or None when ``err`` is not
    such an error or the key is not found in ``cfg``."""
    match = _UNEXPECTED.search(str(err))
    if not match:
        return None
    type_name, arg = match.groups()
    key = _find_key(cfg.to_dict() if hasattr(cfg, 'to_dict') else cfg, type_name, arg)
    if key is None:
        return None
    close = difflib.get_close_matches(arg, _arguments_of(key, cfg), n=2)
    hint = f' (did you mean {" or ".join(close)}?)' if close else ''
    return ConfigError(f'{key}{_where(cfg)}: {type_name} has no argument {arg!r}{hint}')


def _arguments_of(key: str, cfg: Config) -> list:
    """The ``__init__`` argument names of the part at config ``key``."""
    node = cfg.to_dict()
    for part in re.findall(r'[^.\[\]]+', key.rsplit('.', 1)[0]):
        node = node[int(part)] if isinstance(node, list) else node[part]
    type_cfg = node.get('type')
    cls = type_cfg if inspect.isclass(type_cfg) else _registered(str(type_cfg))
    if cls is None:
        return []
    return [n for n in inspect.signature(cls.__init__).parameters if n != 'self']


@contextlib.contextmanager
def explain_config_errors(cfg: Config):
    """Re-raise a build ``TypeError`` for an unexpected argument as a
    :class:`ConfigError` naming the config key and file (see
    :func:`explain_build_type_error`)."""
    try:
        yield
    except TypeError as err:
        better = explain_build_type_error(err, cfg)
        if better is not None:
            raise better from err
        raise
