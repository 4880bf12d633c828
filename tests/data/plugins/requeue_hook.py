"""Test plugin: during iteration ``at_iter`` of a job's first start, rank 0
asks Slurm to send SIGUSR1 to the batch script (``scancel --batch
--signal=USR1``, what ``#SBATCH --signal=B:USR1@N`` does N seconds before the
time limit), then waits until the signal has come through the script and
srun, so the run stops at this iteration whatever its speed."""

import os
import subprocess
import time

from mmengine.dist import get_rank
from mmengine.hooks import Hook

from vltoolkit.engine.hooks import PreemptionHook
from vltoolkit.registry import HOOKS


@HOOKS.register_module()
class TimeLimitAtIterHook(Hook):
    def __init__(self, at_iter: int):
        self.at_iter = at_iter

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if runner.iter + 1 != self.at_iter or os.environ.get('SLURM_RESTART_COUNT', '0') != '0':
            return
        if get_rank() != 0:
            return
        job = os.environ['SLURM_JOB_ID']
        subprocess.run(['scancel', '--batch', '--signal=USR1', job], check=True)
        hook = [h for h in runner.hooks if isinstance(h, PreemptionHook)][0]
        deadline = time.time() + 60
        while hook.received is None and time.time() < deadline:
            time.sleep(0.1)
