"""One training run per work dir, and no run over another run's checkpoints.

mmengine writes ``epoch_1.pth`` & co. into the work dir whatever is there:
a rerun without ``--resume`` overwrites the first run's checkpoints, and two
runs started at once in one work dir overwrite each other's, both exiting 0.
:func:`claim_work_dir` (called by ``tools/train.py`` before the Runner is
built) refuses both:

- a new run (no ``resume``) into a work dir that holds checkpoints
  (``*.pth`` or ``last_checkpoint``): the message names ``--resume``,
  another ``--work-dir`` and ``--overwrite`` (config key
  ``overwrite_work_dir=True``);
- a run into a work dir that another live process is training in: rank 0
  holds an exclusive ``fcntl.flock`` on ``<work_dir>/.train.lock`` for the
  life of the process. The kernel drops the lock when the process ends, by
  any means (``kill -9`` included), so a killed run never leaves it stuck;
  the file itself only records who held it last (pid, host, start time).
"""

import datetime
import fcntl
import glob
import os
import os.path as osp
import socket
from typing import Dict, List, Optional

__all__ = ['WorkDirError', 'claim_work_dir', 'checkpoints_in', 'LOCK_NAME']

LOCK_NAME = '.train.lock'
_held: Dict[str, object] = {}  # work dir -> open lock file (kept open)


class WorkDirError(RuntimeError):
    """The work dir holds another run's checkpoints, or is in use."""


def checkpoints_in(work_dir: str) -> List[str]:
    """The checkpoint files (``*.pth``, ``last_checkpoint``) directly in
    ``work_dir``."""
    found = sorted(glob.glob(osp.join(glob.escape(work_dir), '*.pth')))
    last = osp.join(work_dir, 'last_checkpoint')
    return found + ([last] if osp.isfile(last) else [])


def _rank() -> int:
    for key in ('RANK', 'SLURM_PROCID', 'OMPI_COMM_WORLD_RANK'):
        if os.environ.get(key, '').isdigit():
            return int(os.environ[key])
    return 0


def _lock(work_dir: str) -> None:
    key = osp.realpath(work_dir)
    if key in _held:  # this process already trains here (sequential runs)
        return
    os.makedirs(work_dir, exist_ok=True)
    path = osp.join(work_dir, LOCK_NAME)
    f = open(path, 'a+')
    try:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        f.seek(0)
        holder = f.read().strip() or 'another process'
        f.close()
        raise WorkDirError(
            f'work dir {osp.abspath(work_dir)} is in use by another training run '
            f'({holder}): two runs in one work dir overwrite each other\'s '
            'checkpoints. Wait for it to finish, stop it, or use another '
            '--work-dir.'
        ) from None
    f.seek(0)
    f.truncate()
    started = datetime.datetime.now().isoformat(timespec='seconds')
    f.write(f'pid {os.getpid()} on {socket.gethostname()}, started {started}\n')
    f.flush()
    _held[key] = f


def claim_work_dir(cfg, overwrite: Optional[bool] = None) -> None:
    """Refuse a new run over another run's checkpoints (unless ``resume``,
    ``overwrite`` or the config key ``overwrite_work_dir``) and take the
    work dir's lock (rank 0). Raises :class:`WorkDirError`."""
    work_dir = cfg.get('work_dir')
    if not work_dir:
        return
    overwrite = bool(overwrite or cfg.get('overwrite_work_dir', False))
    found = checkpoints_in(work_dir)
    if found and not cfg.get('resume') and not overwrite:
        names = ', '.join(osp.basename(p) for p in found[:4]) + (', ...' if len(found) > 4 else '')
        raise WorkDirError(
            f'work dir {osp.abspath(work_dir)} holds checkpoints of an earlier run '
            f'({names}); a new run would overwrite them. Continue that run with '
            '--resume, start this one elsewhere with --work-dir DIR, or pass '
            '--overwrite (config key overwrite_work_dir=True) to write over them.'
        )
    if _rank() == 0:
        _lock(work_dir)
