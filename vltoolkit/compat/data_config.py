"""YAML and JSON configs are data: they cannot name code to import.

Trap (mmengine 0.10.7): a YAML or JSON config reaches Python code in two
ways, even read with a safe YAML loader (:mod:`.safe_yaml_config`):

- ``custom_imports: {imports: [mymodule]}`` is imported by
  ``Config.fromfile`` (running the module);
- ``Registry.get`` falls back to importing any dotted ``type``
  (``model: {type: subprocess.run, args: [...]}`` runs the command when the
  model is built).

:func:`use_data_only_configs` makes ``Config.fromfile`` refuse, for
``.yaml`` / ``.yml`` / ``.json`` files (and their data ``_base_`` files),
``custom_imports``, a ``type`` whose dotted prefix is not a registry scope
(``vltoolkit.X`` and ``mmengine.X`` are fine), and a ``_base_`` that is a
``.py`` file. The error says to write a Python config: a ``.py`` config is
code, like any script you run (``docs/reliability.md``, the trust
boundary). Delete this file when mmengine treats data configs as data.
"""

import os.path as osp

__all__ = ['DataConfigError', 'check_data_config', 'use_data_only_configs']

DATA_SUFFIXES = ('.yaml', '.yml', '.json')

_FIX = (
    'A YAML or JSON config is data and cannot import code; write a .py config '
    'if it must (a Python config is code, like any script you run).'
)


class DataConfigError(ValueError):
    """A YAML / JSON config names code to import."""


def _known_scopes() -> set:
    from mmengine.registry import MODELS

    return {'mmengine', 'vltoolkit', *MODELS._children}


def _walk(node, path, scopes, filename):
    if isinstance(node, dict):
        for key, value in node.items():
            where = f'{path}.{key}' if path else str(key)
            if key == 'custom_imports':
                raise DataConfigError(
                    f'{filename}: {where} imports Python modules ({value!r}). {_FIX}'
                )
            if key == 'type' and isinstance(value, str) and '.' in value:
                if value.split('.', 1)[0] not in scopes:
                    raise DataConfigError(
                        f'{filename}: {where}={value!r} names a Python object by its '
                        'dotted path, which mmengine would import and call. Use a '
                        "registered type name (e.g. 'SGD', 'vltoolkit.VisionSeq2Seq'). "
                        f'{_FIX}'
                    )
            _walk(value, where, scopes, filename)
    elif isinstance(node, (list, tuple)):
        for i, value in enumerate(node):
            _walk(value, f'{path}[{i}]', scopes, filename)


def check_data_config(filename: str, _seen=None) -> None:
    """Raise :class:`DataConfigError` when the YAML / JSON config
    ``filename`` (or one of its ``_base_`` files) names code to import."""
    from mmengine.fileio import load

    seen = _seen if _seen is not None else set()
    filename = osp.abspath(filename)
    if filename in seen:
        return
    seen.add(filename)
    raw = load(filename)
    if not isinstance(raw, dict):
        return  # mmengine reports a non-mapping config itself
    _walk(raw, '', _known_scopes(), filename)
    bases = raw.get('_base_') or []
    for base in [bases] if isinstance(bases, str) else list(bases):
        if not isinstance(base, str):
            continue
        path = osp.join(osp.dirname(filename), base)
        if base.endswith('.py'):
            raise DataConfigError(f'{filename}: _base_ {base!r} is a Python config. {_FIX}')
        if path.endswith(DATA_SUFFIXES) and osp.isfile(path):
            check_data_config(path, seen)


def use_data_only_configs() -> None:
    """Wrap ``Config.fromfile`` so YAML / JSON configs are checked by
    :func:`check_data_config` first (idempotent)."""
    from mmengine.config import Config

    original = Config.__dict__['fromfile'].__func__
    if getattr(original, '_vltoolkit_data_only', False):
        return

    def fromfile(filename, *args, **kwargs):
        if str(filename).lower().endswith(DATA_SUFFIXES):
            check_data_config(str(filename))
        return original(filename, *args, **kwargs)

    fromfile._vltoolkit_data_only = True
    fromfile.__doc__ = original.__doc__
    Config.fromfile = staticmethod(fromfile)
