"""Test plugin: SIGKILL the training process right after iteration ``at_iter``
(after the CheckpointHook of that iteration ran), like a preempted job."""

import os
import signal

from mmengine.hooks import Hook

from vltoolkit.registry import HOOKS


@HOOKS.register_module()
class KillAtIterHook(Hook):
    priority = 'LOWEST'

    def __init__(self, at_iter: int):
        self.at_iter = at_iter

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        if runner.iter + 1 == self.at_iter:
            os.kill(os.getpid(), signal.SIGKILL)
