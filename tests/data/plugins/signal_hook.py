"""Test plugin: send a signal to this process during iteration ``at_iter``
(before its step), like a scheduler preempting the job; ``rank`` limits it
to one rank of a distributed run."""

import os
import signal

from mmengine.dist import get_rank
from mmengine.hooks import Hook

from vltoolkit.registry import HOOKS


@HOOKS.register_module()
class SignalAtIterHook(Hook):
    def __init__(self, at_iter: int, signum: str = 'SIGTERM', rank=None):
        self.at_iter = at_iter
        self.signum = getattr(signal, signum)
        self.rank = rank

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if runner.iter + 1 == self.at_iter and self.rank in (None, get_rank()):
            os.kill(os.getpid(), self.signum)
