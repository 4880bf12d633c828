"""YAML configs are data, but mmengine loads them with yaml's full loader.

Trap (mmengine 0.10.7, unchanged on main as of 2025-10): ``YamlHandler``
calls ``yaml.load(file, Loader=CLoader)``, the *full* loader, which builds
any Python object a tag names, so ``Config.fromfile('x.yaml')`` (and
``mmengine.load``) runs ``!!python/object/apply:os.system ["..."]`` found in
a YAML file. Delete this file when mmengine's handler uses a safe loader.

:func:`use_safe_yaml_loader` installs, for ``.yaml`` / ``.yml``, a handler
that loads with ``yaml.SafeLoader`` (mappings, lists, strings, numbers,
booleans, null) and refuses ``!!python/...`` tags with a message; dumping
is unchanged. ``import vltoolkit`` installs it (see :mod:`vltoolkit.compat`).

The trust boundary (``docs/reliability.md``): a ``.py`` config and the
modules named in ``custom_imports`` run code by design; a YAML or JSON
config is data; a checkpoint never runs code (weights-only loading).
"""

__all__ = ['use_safe_yaml_loader']

_MESSAGE = (
    'YAML config refused: {problem} ({mark}). vltoolkit loads YAML '
    'and JSON configs as plain data (no !!python tags); write a .py '
    'config if the config must run code.'
)


def use_safe_yaml_loader() -> None:
    """Make ``mmengine.load`` / ``Config.fromfile`` read YAML with
    ``SafeLoader`` (idempotent)."""
    import yaml
    from mmengine.fileio.handlers import YamlHandler
    from mmengine.fileio.handlers.registry_utils import file_handlers

    try:
        from yaml import CSafeLoader as SafeLoader
    except ImportError:  # pragma: no cover - PyYAML without libyaml
        from yaml import SafeLoader

    if getattr(file_handlers.get('yaml'), 'safe_loader', False):
        return

    class SafeYamlHandler(YamlHandler):
        """mmengine's YAML handler, loading with ``yaml.SafeLoader``."""

        safe_loader = True

        def load_from_fileobj(self, file, **kwargs):
            kwargs['Loader'] = SafeLoader
            try:
                return yaml.load(file, **kwargs)
            except yaml.constructor.ConstructorError as err:
                raise ValueError(
                    _MESSAGE.format(problem=err.problem, mark=str(err.problem_mark).strip())
                ) from None

    handler = SafeYamlHandler()
    for ext in ('yaml', 'yml'):
        file_handlers[ext] = handler
