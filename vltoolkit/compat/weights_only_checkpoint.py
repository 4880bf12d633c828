"""Load mmengine checkpoints with ``torch.load(weights_only=True)``.

Why this module exists
----------------------
Since torch 2.6, ``torch.load`` defaults to ``weights_only=True``: the file is
unpickled by a restricted unpickler that only builds tensors, containers and
the types on an allowlist. That is what makes loading a downloaded checkpoint
safe, because a pickle can otherwise name any importable callable (for example
``os.system``) and have it called while loading.

mmengine 0.10.7 still calls ``torch.load(filename, map_location)`` and unpickles
the *whole* checkpoint (``load_from``, ``resume``, auto-resume,
``init_cfg=dict(type='Pretrained')``, :func:`mmengine.runner.load_checkpoint`).
A checkpoint written by mmengine's ``CheckpointHook`` holds more than tensors:

* ``message_hub.log_scalars`` are :class:`mmengine.logging.HistoryBuffer`
  objects whose data are numpy arrays;
* ``HistoryBuffer.__getstate__`` pickles its statistics-method table, so the
  file contains ``getattr(HistoryBuffer, 'mean')`` (a ``builtins.getattr``
  call);
* ``runtime_info`` / ``hook_msgs`` hold numpy scalars (``eta``, ``best_score``,
  numpy metrics) and ``dataset_meta`` may hold numpy arrays.

So every resume fails on torch >= 2.6 with ``Unsupported global: GLOBAL
mmengine.logging.history_buffer.HistoryBuffer``. The blanket fixes
(``weights_only=False``, ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1``) re-open the
code-execution hole. Instead, :data:`MMENGINE_SAFE_GLOBALS` is a small
allowlist of exactly these types, applied only while *our* loaders run:

* ``HistoryBuffer`` (its ``__setstate__`` only stores data);
* a restricted stand-in registered under the name ``builtins.getattr`` that
  only resolves HistoryBuffer's statistics methods; the real ``getattr`` is a
  well-known unpickling gadget and is never allowed;
* numpy ``ndarray``, ``dtype``, the ``numpy.dtypes`` classes and
  ``_reconstruct`` / ``scalar``, under both spellings ``numpy._core.multiarray``
  (numpy 2) and ``numpy.core.multiarray`` (checkpoints written under numpy 1).

:func:`register_safe_checkpoint_loaders` makes mmengine's ``CheckpointLoader``
use it for local files and for ``http(s)://`` URLs (which mmengine otherwise
loads through ``torch.hub.load_state_dict_from_url`` with
``weights_only=False``, even on torch 2.14). Loading never falls back to
``weights_only=False``: a file that needs another type fails with a
:class:`CheckpointError` that says which type and how to allow it.
"""

import contextlib
import importlib
import os
import os.path as osp
import pickle
import threading
from typing import Any, Callable, Iterable, List, Optional, Tuple, Union
from urllib.parse import urlparse

import numpy as np
import torch
from mmengine.logging import HistoryBuffer

from .weights_only_errors import SAFE_GLOBALS_CFG_KEY, CheckpointError, _translate

__all__ = [
    'CheckpointError',
    'MMENGINE_SAFE_GLOBALS',
    'SAFE_GLOBALS_CFG_KEY',
    'add_safe_globals',
    'get_safe_globals',
    'safe_torch_load',
    'load_from_local',
    'load_from_http',
    'register_safe_checkpoint_loaders',
]


SafeGlobal = Union[Callable, Tuple[Callable, str]]


# --------------------------------------------------------------------------
# The allowlist
# --------------------------------------------------------------------------
_HB_STAT_NAMES = ('min', 'max', 'current', 'mean')


def _history_buffer_getattr(obj, name, *default):
    """Stand-in for ``builtins.getattr`` inside the weights-only unpickler.

    ``HistoryBuffer.__getstate__`` pickles its ``_statistics_methods`` dict;
    pickle stores each method as ``getattr(HistoryBuffer, 'mean')``. Only that
    exact shape is resolved here: ``obj`` must be the ``HistoryBuffer`` class
    and ``name`` one of its own statistics methods. Everything else (another
    object, ``'__init__'``, ``'__class__'``, a default argument ...) is
    refused, because an unrestricted ``getattr`` lets a pickle reach
    arbitrary callables.
    """
    if obj is HistoryBuffer and isinstance(name, str) and not default:
        attr = HistoryBuffer.__dict__.get(name)
        if attr is not None and (
            name in _HB_STAT_NAMES or attr in HistoryBuffer._statistics_methods.values()
        ):
            return attr
    raise pickle.UnpicklingError(
        f'Refused call builtins.getattr({obj!r}, {name!r}): the weights-only '
        'allowlist only resolves HistoryBuffer statistics methods'
    )


def _numpy_safe_globals() -> List[SafeGlobal]:
    np_core = getattr(np, '_core', None) or np.core
    multiarray = np_core.multiarray
    dtype_classes = {type(np.dtype(c)) for c in '?bBhHiIlLqQefdgFDGUSVO'}
    dtype_classes |= {type(np.dtype('M8[s]')), type(np.dtype('m8[s]'))}
    dtypes_module = getattr(np, 'dtypes', None)
    if dtypes_module is not None:
        dtype_classes |= {
            value
            for value in vars(dtypes_module).values()
            if isinstance(value, type) and issubclass(value, np.dtype)
        }
    out: List[SafeGlobal] = [np.ndarray, np.dtype]
    out += sorted(dtype_classes - {np.dtype}, key=lambda t: t.__name__)
    # numpy 2 pickles ``numpy._core.multiarray.*``, numpy 1 wrote
    # ``numpy.core.multiarray.*``: register the same functions under both
    # names (torch matches the pickled string, so one spelling is not enough).
    for module in ('numpy._core.multiarray', 'numpy.core.multiarray'):
        out.append((multiarray._reconstruct, f'{module}._reconstruct'))
        out.append((multiarray.scalar, f'{module}.scalar'))
    return out


#: The globals an mmengine checkpoint needs beyond torch's defaults.
MMENGINE_SAFE_GLOBALS: List[SafeGlobal] = [
    HistoryBuffer,
    (_history_buffer_getattr, 'builtins.getattr'),
    *_numpy_safe_globals(),
]

_USER_SAFE_GLOBALS: List[SafeGlobal] = []
_LOAD_LOCK = threading.RLock()


def _resolve_global(entry) -> SafeGlobal:
    """``'pkg.module.Name'`` -> the object; types, callables and
    ``(callable, 'full.path')`` tuples are returned unchanged."""
    if isinstance(entry, str):
        module_name, _, attr = entry.rpartition('.')
        if not module_name:
            raise ValueError(
                f'safe global {entry!r} must be a dotted path such as \'my_pkg.my_module.MyType\''
            )
        try:
            obj = importlib.import_module(module_name)
        except ImportError:
            # a nested name such as 'pkg.module.Outer.Inner'
            parent, _, outer = module_name.rpartition('.')
            obj = getattr(importlib.import_module(parent), outer)
        return getattr(obj, attr)
    if isinstance(entry, tuple):
        if len(entry) != 2 or not callable(entry[0]) or not isinstance(entry[1], str):
            raise TypeError(
                f'a safe global tuple must be (callable, \'full.path.of.callable\'), got {entry!r}'
            )
        return entry
    if not callable(entry):
        raise TypeError(f'safe global {entry!r} is not a type or callable')
    return entry


def _resolve_globals(entries: Iterable) -> List[SafeGlobal]:
    if entries is None:
        return []
    single_tuple = (
        isinstance(entries, tuple)
        and len(entries) == 2
        and callable(entries[0])
        and isinstance(entries[1], str)
    )
    if isinstance(entries, str) or single_tuple:
        entries = [entries]  # a single entry instead of a list
    return [_resolve_global(e) for e in entries]


def add_safe_globals(safe_globals: Iterable) -> None:
    """Allow extra types in every checkpoint loaded by this module.

    Use it for *your own, trusted* data types that hooks put into the
    checkpoint (``message_hub.runtime_info``, ``dataset_meta``, ...). The
    entries apply only inside :func:`safe_torch_load` and the registered
    mmengine loaders; a bare ``torch.load`` elsewhere stays strict.

    Args:
        safe_globals (list): Types or functions, ``(callable, 'full.path')``
            tuples (for a name the pickle spells differently), or dotted
            import strings such as ``'my_pkg.structures.MyMeta'`` (the form
            used by the ``checkpoint_safe_globals`` config key).

    Never allow ``builtins.getattr``/``eval``/``exec``, ``os``/``subprocess``
    functions or any class whose ``__setstate__``/``__reduce__`` runs code:
    that re-opens the hole the allowlist closes.
    """
    for entry in _resolve_globals(safe_globals):
        if entry not in _USER_SAFE_GLOBALS:
            _USER_SAFE_GLOBALS.append(entry)


def get_safe_globals() -> List[SafeGlobal]:
    """The allowlist in effect: :data:`MMENGINE_SAFE_GLOBALS` plus the
    entries from :func:`add_safe_globals`."""
    return list(MMENGINE_SAFE_GLOBALS) + list(_USER_SAFE_GLOBALS)


@contextlib.contextmanager
def _allowlist(extra_safe_globals: Iterable = ()):
    """``torch.serialization.safe_globals`` with our allowlist.

    torch's context removes its entries on exit, even those the user had
    also added globally with ``torch.serialization.add_safe_globals``; so
    only the entries not already present are put in the context. A lock
    keeps two threads from removing each other's entries mid-load.
    """
    wanted = get_safe_globals() + _resolve_globals(extra_safe_globals)
    with _LOAD_LOCK:
        present = set(torch.serialization.get_safe_globals())
        to_add = []
        for entry in wanted:
            if entry not in present and entry not in to_add:
                to_add.append(entry)
        with torch.serialization.safe_globals(to_add):
            yield


# --------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------
def safe_torch_load(
    filename_or_fileobj, map_location=None, extra_safe_globals: Iterable = ()
) -> Any:
    """``torch.load(..., weights_only=True)`` with the mmengine allowlist.

    Args:
        filename_or_fileobj (str | PathLike | file-like): The checkpoint.
        map_location: Same as :func:`torch.load`.
        extra_safe_globals (list): Extra trusted types for this call only
            (same forms as :func:`add_safe_globals`).

    Returns:
        The unpickled checkpoint (usually a dict).

    Raises:
        CheckpointError: The pickle references a global outside the allowlist
            (``reason='forbidden_global'``), or the file is truncated,
            corrupted or not a checkpoint (``reason='corrupted'``).
        FileNotFoundError: The file does not exist.
    """
    source, display = filename_or_fileobj, None
    if isinstance(source, (str, os.PathLike)):
        source = osp.expanduser(os.fspath(source))
        display = osp.abspath(source)
    try:
        with _allowlist(extra_safe_globals):
            return torch.load(source, map_location=map_location, weights_only=True)
    except CheckpointError:
        raise
    except Exception as exc:
        error = _translate(exc, source, display)
        if error is None:
            raise
        raise error from exc


def load_from_local(filename, map_location=None):
    """mmengine's ``''`` (local file) scheme, loading through
    :func:`safe_torch_load`."""
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    return safe_torch_load(filename, map_location=map_location)


def _hub_cached_file(url: str, model_dir: Optional[str]) -> str:
    """Where ``torch.hub.load_state_dict_from_url`` caches ``url``."""
    if model_dir is None:
        model_dir = osp.join(torch.hub.get_dir(), 'checkpoints')
    return osp.join(model_dir, osp.basename(urlparse(url).path))


def _load_url_weights_only(url, model_dir, map_location, progress):
    try:
        with _allowlist():
            return torch.hub.load_state_dict_from_url(
                url,
                model_dir=model_dir,
                map_location=map_location,
                progress=progress,
                weights_only=True,
            )
    except CheckpointError:
        raise
    except Exception as exc:
        cached = _hub_cached_file(url, model_dir)
        # network errors (URLError, HTTPError, ...) happen before a file is
        # cached: re-raise those unchanged
        error = _translate(exc, cached, cached_from=url) if osp.isfile(cached) else None
        if error is None:
            raise
        raise error from exc


def load_from_http(filename, map_location=None, model_dir=None, progress=None):
    """mmengine's ``http://``/``https://`` scheme with the weights-only
    allowlist.

    mmengine's own ``load_from_http`` goes through
    ``torch.hub.load_state_dict_from_url``, which still defaults to
    ``weights_only=False`` on torch 2.14: a downloaded checkpoint could run
    code. This version passes ``weights_only=True`` and the allowlist. As in
    mmengine, rank 0 downloads first and the other ranks read the cached file
    after a barrier. ``torchvision://``, ``open-mmlab://`` (URL entries) and
    ``mmcls://`` call this function too once
    :func:`register_safe_checkpoint_loaders` has run.
    """
    from mmengine.dist import get_dist_info

    if progress is None:
        progress = os.isatty(0)
    rank, world_size = get_dist_info()
    checkpoint, error = None, None
    if rank == 0:
        try:
            checkpoint = _load_url_weights_only(filename, model_dir, map_location, progress)
        except Exception as exc:
            # still reach the barrier, or the other ranks would hang
            error = exc
    if world_size > 1:
        torch.distributed.barrier()
        if rank > 0:
            checkpoint = _load_url_weights_only(filename, model_dir, map_location, progress)
    if error is not None:
        raise error
    return checkpoint


_registered = False


def register_safe_checkpoint_loaders(extra_safe_globals: Iterable = ()) -> None:
    """Route mmengine's checkpoint loading through the allowlist.

    Re-registers the ``''`` (local file) and ``http://``/``https://``
    schemes of :class:`mmengine.runner.CheckpointLoader` and rebinds
    ``mmengine.runner.checkpoint.load_from_http`` (used by the
    ``torchvision://``, ``open-mmlab://`` and ``mmcls://`` schemes). That
    covers ``load_from``, ``resume``/auto-resume,
    ``init_cfg=dict(type='Pretrained')`` and
    :func:`mmengine.runner.load_checkpoint`. Call it once before building the
    Runner; calling it again is harmless.

    Args:
        extra_safe_globals (list): Passed to :func:`add_safe_globals`, e.g.
            ``cfg.get('checkpoint_safe_globals', [])``.
    """
    global _registered
    if extra_safe_globals:
        add_safe_globals(extra_safe_globals)
    from mmengine.runner import checkpoint as mm_ckpt

    loader = mm_ckpt.CheckpointLoader
    schemes = loader._schemes
    if (
        _registered
        and schemes.get('') is load_from_local
        and schemes.get('http://') is load_from_http
        and schemes.get('https://') is load_from_http
        and mm_ckpt.load_from_http is load_from_http
    ):
        return
    loader.register_scheme(prefixes='', loader=load_from_local, force=True)
    loader.register_scheme(prefixes=('http://', 'https://'), loader=load_from_http, force=True)
    mm_ckpt.load_from_http = load_from_http
    _registered = True
