"""Run a patch right after a module is imported (a post-import hook).

``import vltoolkit`` must make mmengine's checkpoint loading safe without
importing ``mmengine.runner`` itself (a few seconds: it pulls in the whole
optimizer and strategy stack), so light users such as the toy-data
generators stay light. :func:`call_after_import` patches at once when the
module is already imported, otherwise the first time it is.
"""

import importlib.abc
import importlib.util
import sys
from typing import Callable

__all__ = ['call_after_import', 'call_around_import']


class _AfterImportFinder(importlib.abc.MetaPathFinder):
    """Finds nothing itself; wraps the real loader of ``name`` so that
    ``callback`` runs once the module has executed."""

    def __init__(self, name: str, callback: Callable[[], None], before=None, on_error=None):
        self.name, self.callback = name, callback
        self.before, self.on_error = before, on_error

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.name:
            return None
        sys.meta_path.remove(self)  # once, and no recursion below
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        loader, callback = spec.loader, self.callback
        before, on_error = self.before, self.on_error
        exec_module = loader.exec_module

        def exec_then_patch(module):
            if before is not None:
                before()
            try:
                exec_module(module)
            except BaseException:
                if on_error is not None:
                    on_error()
                raise
            callback()

        loader.exec_module = exec_then_patch
        return spec


def _hooked(name: str, callback) -> bool:
    """Whether ``(name, callback)`` already has its finder."""
    return any(
        isinstance(f, _AfterImportFinder) and f.name == name and f.callback == callback
        for f in sys.meta_path
    )


def call_after_import(name: str, callback: Callable[[], None]) -> None:
    """``callback()`` now if module ``name`` is imported, else right after
    its first import. Registering the same ``(name, callback)`` twice adds
    one hook."""
    if name in sys.modules:
        callback()
        return
    if not _hooked(name, callback):
        sys.meta_path.insert(0, _AfterImportFinder(name, callback))


def call_around_import(
    name: str,
    before: Callable[[], None],
    after: Callable[[], None],
    on_error: Callable[[], None],
) -> None:
    """``before()`` right before module ``name`` first executes, then
    ``after()`` once it has, or ``on_error()`` if it raised. Nothing when the
    module is already imported (too late to run ``before``)."""
    if name in sys.modules or _hooked(name, after):
        return
    sys.meta_path.insert(0, _AfterImportFinder(name, after, before=before, on_error=on_error))
