"""Why a checkpoint cannot be loaded safely: the error and its message.

torch's ``weights_only`` unpickler fails with terse messages; these helpers
turn them into a :class:`CheckpointError` that names the file, says whether it
references a forbidden global (and which) or is corrupted / truncated, and
gives the fix.
"""

import os
import os.path as osp
import pickle
import re
import struct
import zipfile
from typing import Optional, Tuple

#: The config key whose list of ``'pkg.module.Type'`` strings the training
#: entry point passes to ``register_safe_checkpoint_loaders``.
SAFE_GLOBALS_CFG_KEY = 'checkpoint_safe_globals'


class CheckpointError(RuntimeError):
    """A checkpoint could not be loaded safely.

    Attributes:
        filename (str): The file or URL that was being loaded.
        reason (str): ``'forbidden_global'`` (the pickle references a global
            that is not on the allowlist) or ``'corrupted'`` (the file is
            truncated, damaged or not a checkpoint).
        global_name (str | None): For ``'forbidden_global'``, the offending
            global as named in torch's message (e.g. ``'posix.system'``).
    """

    def __init__(
        self, message: str, filename: str = '', reason: str = '', global_name: Optional[str] = None
    ):
        super().__init__(message)
        self.filename = filename
        self.reason = reason
        self.global_name = global_name


# --------------------------------------------------------------------------
# Error translation
# --------------------------------------------------------------------------
_GLOBAL_RE = re.compile(r'GLOBAL (\S+?)(?:\s|$)')
_REDUCE_RE = re.compile(r'unrecognized function (.+?)(?: which belongs|$)', re.M)
_FORBIDDEN_MARKERS = (
    'GLOBAL ',
    'Trying to call reduce',
    'Can only create new object',
    'Can only build',
    'Refused call builtins.getattr',
)
# torch's own, actionable message ("``torch.distributed.tensor`` must be
# imported to load DTensors"): re-raised unchanged
_PASS_THROUGH_MARKERS = ('must be imported to load',)
_CORRUPT_MARKERS = (
    'pytorchstreamreader',
    'corrupt',
    'truncat',
    'zip archive',
    'central directory',
    'magic number',
    'seek',
    'invalid load key',
    'not found in archive',
    'unexpected eof',
    'failed finding',
    'failed reading',
    'unsupported operand',
    'string is too long',
    'stack underflow',
    'negative argument',
    'unpickling stack',
    'bad zip',
    'is not a zip',
)
_MISSING_FILE_ERRORS = (FileNotFoundError, PermissionError, IsADirectoryError, NotADirectoryError)


def _describe_source(source) -> str:
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    name = getattr(source, 'name', None)
    if isinstance(name, str):
        return name
    return f'<file object {type(source).__name__}>'


def _size_of(source) -> Optional[int]:
    try:
        if isinstance(source, (str, os.PathLike)):
            return osp.getsize(source)
        pos = source.tell()
        size = source.seek(0, os.SEEK_END)
        source.seek(pos)
        return size
    except Exception:
        return None


def _head_of(source, n=64) -> bytes:
    try:
        if isinstance(source, (str, os.PathLike)):
            with open(source, 'rb') as f:
                return f.read(n)
        pos = source.tell()
        source.seek(0)
        head = source.read(n)
        source.seek(pos)
        return head if isinstance(head, bytes) else b''
    except Exception:
        return b''


def _torch_reason(exc: BaseException) -> str:
    """The useful part of torch's weights-only message."""
    msg = str(exc)
    match = re.search(r'WeightsUnpickler error:\s*(.+?)(?:\n\s*\n|\nCheck the |$)', msg, re.S)
    if match:
        return match.group(1).strip()
    for line in msg.splitlines():
        if any(m in line for m in _FORBIDDEN_MARKERS):
            return line.strip()
    return msg.strip().splitlines()[0] if msg.strip() else type(exc).__name__


def _forbidden_global(exc: BaseException) -> Tuple[bool, Optional[str]]:
    """Whether ``exc`` is the weights-only unpickler refusing a global, and
    the name of that global."""
    if not isinstance(exc, pickle.UnpicklingError):
        return False, None
    msg = str(exc)
    if not any(m in msg for m in _FORBIDDEN_MARKERS):
        return False, None
    match = _GLOBAL_RE.search(msg)
    if match:
        return True, match.group(1).rstrip('.')
    match = _REDUCE_RE.search(msg)
    if match:
        return True, match.group(1).strip()
    if 'builtins.getattr' in msg:
        return True, 'builtins.getattr'
    match = re.search(r"got <class '([^']+)'>", msg)
    return True, match.group(1) if match else None


def _is_corruption(exc: BaseException) -> bool:
    if isinstance(exc, _MISSING_FILE_ERRORS):
        return False
    if isinstance(
        exc,
        (
            EOFError,
            OSError,
            zipfile.BadZipFile,
            struct.error,
            pickle.UnpicklingError,
            UnicodeDecodeError,
        ),
    ):
        return True
    if isinstance(exc, (RuntimeError, ValueError, KeyError, AssertionError)):
        text = str(exc).lower()
        return any(marker in text for marker in _CORRUPT_MARKERS)
    return False


_BLOCKED_MODULES = (
    'os.',
    'posix.',
    'nt.',
    'sys.',
    'subprocess.',
    'builtins.',
    'shutil.',
    'socket.',
    'pty.',
    'runpy.',
    'importlib.',
)


def _forbidden_message(what: str, global_name: Optional[str], reason: str) -> str:
    name = global_name or 'an unknown global'
    lines = [
        f'Refused to load checkpoint {what}: it references {name!r}, which '
        'is not on the weights-only allowlist. Unpickling a global that is '
        'not allowlisted could run arbitrary code, so the file is refused '
        f'(torch: {reason}).',
        'vltoolkit never falls back to torch.load(weights_only=False).',
    ]
    bare = (global_name or '').split('.')[-1]
    if (global_name or '').startswith(_BLOCKED_MODULES) or bare in (
        'system',
        'eval',
        'exec',
        'getattr',
        'popen',
        'Popen',
        '__import__',
        'compile',
        'open',
    ):
        lines.append(
            f'{name!r} is a function that can execute code or touch the '
            'system, not a data type: do NOT allowlist it. Treat the file as '
            'malicious unless you can explain where it came from.'
        )
    else:
        lines.append(
            'If the file comes from a source you trust and the name is a '
            'plain data type of yours, allow it with '
            f"vltoolkit.compat.add_safe_globals(['{name}']), "
            f"safe_torch_load(..., extra_safe_globals=['{name}']) or the "
            f"config key `{SAFE_GLOBALS_CFG_KEY} = ['{name}']` "
            '(see docs/checkpoints.md).'
        )
    return '\n'.join(lines)


def _corrupted_message(
    what: str, source, exc: BaseException, cached_from: Optional[str] = None
) -> str:
    size = _size_of(source)
    size_txt = f'{size} bytes' if size is not None else 'unknown size'
    detail = (
        f'{type(exc).__name__}: {_torch_reason(exc)}' if str(exc).strip() else type(exc).__name__
    )
    lines = [
        f'Checkpoint {what} is corrupted or truncated ({size_txt}); it could '
        f'not be read as a PyTorch checkpoint ({detail}).'
    ]
    head = _head_of(source).lstrip().lower()
    if head.startswith((b'<!doctype', b'<html', b'<?xml', b'{', b'<')):
        lines.append(
            'The file starts like a text/HTML page, not a checkpoint '
            '(an error page saved by a download?).'
        )
    if size == 0:
        lines.append('The file is empty (the writer may have been killed).')
    if cached_from is not None:
        lines.append(
            f'It is the cached download of {cached_from}: delete '
            f'{_describe_source(source)} and load again to re-download it.'
        )
    else:
        lines.append(
            'Re-download or re-copy it; if it is a checkpoint of an '
            'interrupted run, resume from the previous epoch_*.pth/iter_*.pth '
            'in the work dir (and fix `last_checkpoint` if it names this '
            'file).'
        )
    return '\n'.join(lines)


def _translate(
    exc: BaseException, source, display: Optional[str] = None, cached_from: Optional[str] = None
) -> Optional[CheckpointError]:
    """A :class:`CheckpointError` for ``exc``, or ``None`` to re-raise it."""
    what = repr(display or _describe_source(source))
    if cached_from is not None:
        what = f'{cached_from!r} (cached at {_describe_source(source)!r})'
    filename = display or cached_from or _describe_source(source)
    if any(m in str(exc) for m in _PASS_THROUGH_MARKERS):
        return None
    forbidden, global_name = _forbidden_global(exc)
    if forbidden:
        return CheckpointError(
            _forbidden_message(what, global_name, _torch_reason(exc)),
            filename=filename,
            reason='forbidden_global',
            global_name=global_name,
        )
    if _is_corruption(exc):
        return CheckpointError(
            _corrupted_message(what, source, exc, cached_from),
            filename=filename,
            reason='corrupted',
        )
    return None
