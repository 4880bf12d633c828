"""Compatibility shims for mmengine 0.10.7 on a current Python stack.

``pkg_resources`` is gone
-------------------------
setuptools removed ``pkg_resources`` in 82.0 (this project pins setuptools
84). mmengine 0.10.7 still imports it inside
``mmengine.utils.package_utils.is_installed`` / ``get_installed_path`` /
``package2module``, so everything that resolves a package path fails with
``ModuleNotFoundError: No module named 'pkg_resources'``:

* lazy configs with an absolute ``read_base()`` import
  (``from vltoolkit.configs.x import *``);
* ``_base_ = 'mmdet::...'`` style external configs;
* :mod:`mmengine.hub` (``get_config`` / ``get_model``).

:func:`patch_mmengine_pkg_resources` replaces those functions with
``importlib.metadata`` / ``importlib.util.find_spec`` versions, in every
mmengine module that imported them by name (upstream mmengine main made the
same switch; no release has it yet).
"""

import importlib
import importlib.metadata as importlib_metadata
import importlib.util
import os.path as osp
import sys
import warnings
from typing import List, Optional

__all__ = [
    'patch_mmengine_pkg_resources',
    'pkg_resources_available',
    'is_installed',
    'get_installed_path',
    'package2module',
]

#: mmengine modules that bind the functions by name (``from ... import``).
_PATCH_TARGETS = (
    'mmengine.utils.package_utils',
    'mmengine.utils',
    'mmengine.config.config',
    'mmengine.hub.hub',
)
#: imported (cheap) before patching; the others are patched if imported.
_IMPORT_FIRST = ('mmengine.utils.package_utils', 'mmengine.utils', 'mmengine.config.config')
_PATCHED_NAMES = ('is_installed', 'get_installed_path', 'package2module')


def pkg_resources_available() -> bool:
    """Whether ``import pkg_resources`` works (setuptools < 82)."""
    if 'pkg_resources' in sys.modules:
        return sys.modules['pkg_resources'] is not None
    try:
        with warnings.catch_warnings():
            # setuptools 80/81 warn that pkg_resources is deprecated
            warnings.simplefilter('ignore')
            importlib.import_module('pkg_resources')
    except Exception:
        return False
    return True


def _find_spec(name: str):
    try:
        return importlib.util.find_spec(name)
    except (ImportError, ValueError, AttributeError):
        # a dotted name whose parent is missing, an invalid name, ...
        return None


def _distribution(package: str) -> Optional[importlib_metadata.Distribution]:
    try:
        return importlib_metadata.distribution(package)
    except importlib_metadata.PackageNotFoundError:
        return None


def _top_level_modules(dist: importlib_metadata.Distribution) -> List[str]:
    """The importable top-level names a distribution provides."""
    text = dist.read_text('top_level.txt')
    if text:
        names = [line.strip() for line in text.splitlines() if line.strip()]
        if names:
            return names
    names = []
    for path in dist.files or ():
        parts = path.parts
        if (
            not parts
            or parts[0].endswith(('.dist-info', '.egg-info', '.data'))
            or parts[0] in ('..', '__pycache__')
        ):
            continue
        if len(parts) == 1:
            if parts[0].endswith('.py'):
                name = parts[0][:-3]
            else:
                continue
        else:
            name = parts[0]
        if name.isidentifier() and name not in names:
            names.append(name)
    return names


def is_installed(package: str) -> bool:
    """``importlib`` version of :func:`mmengine.utils.is_installed`.

    True if ``package`` is an installed distribution, or an importable module
    with a location (e.g. a package on ``PYTHONPATH``).
    """
    if _distribution(package) is not None:
        return True
    spec = _find_spec(package)
    return spec is not None and spec.origin is not None


def package2module(package: str) -> str:
    """``importlib`` version of :func:`mmengine.utils.package2module`: the
    top-level module of distribution ``package`` (``'mmcv-lite'`` ->
    ``'mmcv'``)."""
    dist = _distribution(package)
    if dist is None:
        raise importlib_metadata.PackageNotFoundError(package)
    names = _top_level_modules(dist)
    if not names:
        raise ValueError(f'can not infer the module name of {package}')
    return names[0]


def _module_dir(module: str) -> Optional[str]:
    spec = _find_spec(module)
    if spec is None:
        return None
    if spec.submodule_search_locations:
        locations = list(spec.submodule_search_locations)
        if spec.origin is None and len(locations) != 1:
            return None  # namespace package spread over several dirs
        return locations[0]
    if spec.origin is not None and osp.isfile(spec.origin):
        return osp.dirname(spec.origin)
    return None


def get_installed_path(package: str) -> str:
    """``importlib`` version of :func:`mmengine.utils.get_installed_path`.

    Returns the directory of the installed package (``'mmcv-lite'`` ->
    ``.../site-packages/mmcv``), also for editable installs and packages
    found only through ``PYTHONPATH``.
    """
    dist = _distribution(package)
    if dist is None:
        # not installed: a package on PYTHONPATH is found by find_spec
        spec = _find_spec(package)
        if spec is None:
            raise importlib_metadata.PackageNotFoundError(package)
        if spec.origin is None:
            raise RuntimeError(
                f'{package} is a namespace package, which is invalid for `get_install_path`'
            )
        return osp.dirname(spec.origin)
    location = str(dist.locate_file(''))
    possible_path = osp.join(location, package)
    if osp.exists(possible_path):
        return possible_path
    try:
        module = package2module(package)
    except ValueError:
        module = package.replace('-', '_')
    candidate = osp.join(location, module)
    if osp.exists(candidate):
        return candidate
    # editable installs and other layouts: ask the import system
    found = _module_dir(module)
    return found if found is not None else candidate


def _mark(func):
    func.__vltoolkit_compat__ = True
    return func


_REPLACEMENTS = {
    'is_installed': _mark(is_installed),
    'get_installed_path': _mark(get_installed_path),
    'package2module': _mark(package2module),
}


def patch_mmengine_pkg_resources(force: bool = False) -> bool:
    """Make mmengine's package helpers work without ``pkg_resources``.

    When ``pkg_resources`` cannot be imported (setuptools >= 82), replace
    ``is_installed``, ``get_installed_path`` and ``package2module`` in
    ``mmengine.utils.package_utils``, ``mmengine.utils``,
    ``mmengine.config.config`` and ``mmengine.hub.hub`` (each where it exists
    and binds the name) with the ``importlib`` versions of this module.
    ``mmengine.hub.hub`` is patched if already imported; imported later, it
    picks the patched names up from ``mmengine.utils``. Idempotent.

    Args:
        force (bool): Patch even if ``pkg_resources`` is importable.

    Returns:
        bool: Whether the functions are (now) the ``importlib`` versions.
    """
    if not force and pkg_resources_available():
        return False
    for module_name in _PATCH_TARGETS:
        module = sys.modules.get(module_name)
        if module is None and module_name in _IMPORT_FIRST:
            module = importlib.import_module(module_name)
        if module is None:
            # not imported yet: it binds the names from the already patched
            # ``mmengine.utils`` when it is (``mmengine.hub`` imports the
            # whole runner, so it is not imported here just to patch it)
            continue
        for name in _PATCHED_NAMES:
            if hasattr(module, name):
                setattr(module, name, _REPLACEMENTS[name])
    return True
