"""Where tools write: relative output paths live under the run's work dir.

``tools/test.py --out preds.pkl --show-dir vis`` writes
``<work_dir>/preds.pkl`` and ``<work_dir>/vis/``; ``plot_curves.py WORK_DIR
--out curves.png`` writes ``WORK_DIR/curves.png``. An absolute path is
used as given, so nothing a tool writes by default lands in the repository
(``work_dirs/`` and ``data/`` are git-ignored).
"""

import os.path as osp
from typing import Optional, Sequence


def under_work_dir(path: Optional[str], work_dir: str) -> Optional[str]:
    """``path`` if absolute (or None), else ``work_dir/path``."""
    if path is None or osp.isabs(path):
        return path
    return osp.join(work_dir, path)


def common_work_dir(work_dirs: Sequence[str]) -> str:
    """The folder that holds every run of ``work_dirs`` (the run itself for
    one; their deepest common parent for several)."""
    if not work_dirs:
        raise ValueError('no work dirs given')
    return osp.commonpath([osp.normpath(d) for d in work_dirs])
