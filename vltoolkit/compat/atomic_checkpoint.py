"""Checkpoints written atomically, never with non-finite weights.

Trap (mmengine 0.10.7): ``save_checkpoint`` serialises into memory and
``LocalBackend.put`` then opens the final name with ``'wb'`` and writes into
it, so a kill or a full disk during the write leaves a partial file under a
checkpoint's name (``epoch_2.pth``); ``CheckpointHook`` deletes the oldest
checkpoint *before* it writes the new one, and writes ``last_checkpoint`` in
place, so an interrupted save can leave no readable checkpoint and an empty
``last_checkpoint``, on which ``--resume`` fails
(``find_latest_checkpoint`` returns ``''``). Delete this file when mmengine
saves through a temporary file.

Here:

- :func:`save_checkpoint` (mmengine's, for local paths) writes into a
  temporary file of the same directory, flushes and fsyncs it, renames it
  onto the final name and fsyncs the directory: a checkpoint's name holds a
  complete file or nothing new. On ``OSError`` (a full disk: ``ENOSPC``) the
  temporary file is removed and :class:`CheckpointSaveError` names the
  disk, its free space and the last complete checkpoint. A checkpoint whose
  ``state_dict`` holds a NaN or infinite value is refused
  (:class:`NonFiniteCheckpointError`), so it can never become ``best_*.pth``.
- :func:`write_text_atomic` does the same for small files (``last_checkpoint``).
- :func:`find_latest_checkpoint` reads ``last_checkpoint`` and, when it is
  missing, empty, or names a file that is gone or incomplete, falls back to
  the newest complete ``epoch_*.pth`` / ``iter_*.pth`` of the directory.

:func:`install` rebinds these in every mmengine module that imported the
originals (the Runner, ``FlexibleRunner``, the strategies), so *every* save
goes through them, not only ``CheckpointHook``'s; ``import vltoolkit`` runs
it once ``mmengine.runner`` is imported. ``vltoolkit.SafeCheckpointHook``
(used by ``build_runner`` in place of ``CheckpointHook``) prunes old
checkpoints only after the new one is complete.
"""

import errno
import glob
import os
import os.path as osp
import re
import shutil
import sys
import zipfile
from typing import Optional

import torch

__all__ = [
    'CheckpointSaveError',
    'NonFiniteCheckpointError',
    'atomic_torch_save',
    'write_text_atomic',
    'save_checkpoint',
    'find_latest_checkpoint',
    'newest_complete_checkpoint',
    'install',
]


class CheckpointSaveError(OSError):
    """A checkpoint could not be written (full disk, read-only or gone
    directory); nothing was left under its name."""


class NonFiniteCheckpointError(FloatingPointError):
    """A checkpoint would have held NaN or infinite weights."""


def _fsync_dir(directory: str) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _mount_point(path: str) -> str:
    path = osp.realpath(path)
    while not osp.ismount(path):
        parent = osp.dirname(path)
        if parent == path:
            break
        path = parent
    return path


def _describe_disk(directory: str) -> str:
    try:
        usage = shutil.disk_usage(directory)
        free = f'{usage.free / 2**30:.2f} GiB free of {usage.total / 2**30:.1f} GiB'
    except OSError:
        free = 'free space unknown'
    return f'the disk of {osp.abspath(directory)} (mounted at {_mount_point(directory)}; {free})'


def _write_atomic(filename: str, write) -> None:
    """Call ``write(file_object)`` on a temporary file next to ``filename``,
    then fsync and rename it onto ``filename``."""
    directory = osp.dirname(osp.abspath(filename))
    os.makedirs(directory, exist_ok=True)
    tmp = osp.join(directory, f'.{osp.basename(filename)}.tmp-{os.getpid()}')
    try:
        with open(tmp, 'wb') as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, filename)
    except BaseException as err:
        try:
            os.remove(tmp)
        except OSError:
            pass
        if isinstance(err, OSError) and not isinstance(err, CheckpointSaveError):
            last = newest_complete_checkpoint(directory)
            hint = (
                'free some space (or use another --work-dir) and resume with --resume'
                if err.errno in (errno.ENOSPC, errno.EDQUOT)
                else 'fix the directory and resume with --resume'
            )
            raise CheckpointSaveError(
                err.errno,
                f'could not write {filename}: {err.strerror or err} on '
                f'{_describe_disk(directory)}. Nothing was left under that name; '
                f'the last complete checkpoint is {last or "(none)"}; {hint}.',
            ) from err
        raise
    _fsync_dir(directory)


def atomic_torch_save(obj, filename: str) -> None:
    """``torch.save(obj, filename)``, atomically (see the module docstring)."""
    _write_atomic(filename, lambda f: torch.save(obj, f))


def write_text_atomic(filename: str, text: str) -> None:
    """Write ``text`` to ``filename`` atomically."""
    _write_atomic(filename, lambda f: f.write(text.encode('utf-8')))


def check_finite_weights(checkpoint: dict, filename: str) -> None:
    """Raise :class:`NonFiniteCheckpointError` when a floating-point tensor
    of ``checkpoint['state_dict']`` holds a NaN or infinite value."""
    state = checkpoint.get('state_dict') if isinstance(checkpoint, dict) else None
    if not isinstance(state, dict):
        return
    bad = [
        key
        for key, value in state.items()
        if torch.is_tensor(value)
        and value.is_floating_point()
        and not bool(torch.isfinite(value).all())
    ]
    if bad:
        meta = checkpoint.get('meta') or {}
        raise NonFiniteCheckpointError(
            f'refusing to write {filename}: {len(bad)} weight tensor(s) hold NaN or '
            f'infinite values ({", ".join(bad[:5])}{", ..." if len(bad) > 5 else ""}) '
            f'at epoch {meta.get("epoch")}, iteration {meta.get("iter")}. The training '
            'diverged; the checkpoints already on disk are untouched. Lower the '
            'learning rate or clip gradients, and resume from the last checkpoint.'
        )


def _is_local(filename: str) -> bool:
    return isinstance(filename, str) and '://' not in filename


_original_save = None


def save_checkpoint(checkpoint, filename, file_client_args=None, backend_args=None):
    """mmengine's ``save_checkpoint``: refuses non-finite weights, and writes
    local files atomically (other backends: mmengine's own code)."""
    check_finite_weights(checkpoint, str(filename))
    if _is_local(str(filename)) and file_client_args is None and not backend_args:
        atomic_torch_save(checkpoint, str(filename))
        return
    from mmengine.runner import checkpoint as mm_checkpoint

    original = _original_save or mm_checkpoint.save_checkpoint
    original(checkpoint, filename, file_client_args, backend_args)


_CKPT_NAME = re.compile(r'^(epoch|iter)_(\d+)\.pth$')


def _complete(path: str) -> bool:
    """A torch zip checkpoint whose central directory is intact (a truncated
    or empty file fails this)."""
    return osp.isfile(path) and osp.getsize(path) > 0 and zipfile.is_zipfile(path)


def newest_complete_checkpoint(directory: str) -> Optional[str]:
    """The newest complete ``epoch_N.pth`` / ``iter_N.pth`` in ``directory``
    (by modification time, then by N), or None."""
    found = []
    for path in glob.glob(osp.join(glob.escape(directory), '*.pth')):
        match = _CKPT_NAME.match(osp.basename(path))
        if match and _complete(path):
            found.append((osp.getmtime(path), int(match.group(2)), path))
    return max(found)[2] if found else None


def find_latest_checkpoint(path: str) -> Optional[str]:
    """mmengine's ``find_latest_checkpoint`` with a fallback: the file named
    by ``last_checkpoint`` if it is complete, else the newest complete
    checkpoint of ``path`` (a warning says so), else None."""
    from mmengine.logging import print_log

    save_file = osp.join(path, 'last_checkpoint')
    named = None
    if osp.exists(save_file):
        with open(save_file) as f:
            named = f.read().strip()
        if named and ('://' in named or osp.isdir(named) or _complete(named)):
            return named
    fallback = newest_complete_checkpoint(path)
    if fallback is not None:
        why = (
            f'{save_file} is empty'
            if named == ''
            else f'{save_file} names {named}, which is missing or incomplete'
            if named
            else f'there is no {save_file}'
        )
        print_log(
            f'{why}: using the newest complete checkpoint {fallback}',
            logger='current',
            level=30,
        )
    return fallback


_MODULES = (
    'mmengine.runner',
    'mmengine.runner.checkpoint',
    'mmengine.runner.runner',
    'mmengine.runner._flexible_runner',
    'mmengine._strategy.deepspeed',
    'mmengine._strategy.colossalai',
)


def install() -> None:
    """Rebind ``save_checkpoint`` and ``find_latest_checkpoint`` in the
    mmengine modules that hold them (idempotent; modules imported later
    that do ``from mmengine.runner.checkpoint import ...`` get ours)."""
    global _original_save
    from mmengine.runner import checkpoint as mm_checkpoint

    if _original_save is None and mm_checkpoint.save_checkpoint is not save_checkpoint:
        _original_save = mm_checkpoint.save_checkpoint
    for name in _MODULES:
        module = sys.modules.get(name)
        if module is None:
            continue
        if hasattr(module, 'save_checkpoint'):
            module.save_checkpoint = save_checkpoint
        if hasattr(module, 'find_latest_checkpoint'):
            module.find_latest_checkpoint = find_latest_checkpoint
