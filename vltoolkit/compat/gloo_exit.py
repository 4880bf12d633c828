"""Leave a gloo run with the exit code it earned.

The trap (torch gloo backend, seen with torch 2.x on CPU): gloo's background
threads can abort the interpreter at exit ("terminate called without an
active exception") after all work is done, turning a good run into a
non-zero exit. :func:`finish_distributed` synchronises, destroys the group,
flushes and leaves with ``os._exit``.

Delete when: a gloo run of ``tools/dist_train.sh`` on CPU exits 0 without
it (check ``tests/test_tools/test_train_test.py`` with it removed).
"""

import logging
import os
import sys

import torch.distributed as dist

__all__ = ['finish_distributed']


def finish_distributed(exit_code: int = 0) -> None:
    """Leave a distributed run with ``exit_code`` every time.

    gloo's threads can abort the interpreter at exit ("terminate called
    without an active exception") after all work is done, turning a good
    run into a non-zero exit. So: barrier, destroy the process group, flush
    logs and streams, then ``os._exit``. Does nothing outside torchrun.
    """
    if not (dist.is_available() and dist.is_initialized()):
        return
    try:
        dist.barrier()
    finally:
        dist.destroy_process_group()
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(exit_code)
