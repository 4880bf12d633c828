"""Unique experiment names for Runners built in the same process / second.

The trap (mmengine 0.10.7, ``Runner.__init__``): without ``experiment_name``
the Runner names its experiment ``{config stem}_{timestamp to the second}``
and names its ``MMLogger``, ``Visualizer`` and ``MessageHub`` instances after
it; these are global singletons keyed by name. Two Runners built in the same
second (tests, ``ablate.py``, a demo that trains then tests in one process)
get the *same* logger / visualizer / message hub, and the second writes into
the first one's work dir.

Delete when: mmengine builds those instances with unique names itself (it
does not as of 0.10.7).
"""

import os
import os.path as osp
import time

from mmengine.config import Config

__all__ = ['unique_experiment_name']


def unique_experiment_name(cfg: Config) -> str:
    """``{config}_{YYYYmmdd_HHMMSS}_{ms}{pid}``, unique per process and
    millisecond."""
    stem = osp.splitext(osp.basename(cfg.filename or 'config'))[0]
    now = time.time()
    return (
        f'{stem}_{time.strftime("%Y%m%d_%H%M%S", time.localtime(now))}'
        f'_{int(now * 1000) % 1000:03d}{os.getpid()}'
    )
