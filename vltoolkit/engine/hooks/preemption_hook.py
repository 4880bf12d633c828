"""Save and stop on SIGTERM / SIGUSR1 (Slurm preemption, time limits)."""

import os
import os.path as osp
import signal
import threading
from typing import Optional, Sequence

import torch
from mmengine.dist import all_reduce, get_comm_device, get_world_size, is_main_process
from mmengine.hooks import Hook

from vltoolkit.registry import HOOKS

__all__ = ['PREEMPTED_EXIT_CODE', 'PreemptionHook', 'Preempted']

#: Exit code of a run stopped by :class:`PreemptionHook` after it saved its
#: checkpoint: 75 is ``EX_TEMPFAIL`` of ``sysexits.h`` ("temporary failure,
#: try again"). ``tools/slurm_batch.sh`` requeues the job on this code, and a
#: requeued ``tools/slurm_train.sh`` resumes from the saved checkpoint.
PREEMPTED_EXIT_CODE = 75

#: the signals a scheduler sends before it stops a job: SIGTERM (Slurm's
#: preemption and time limit, ``scancel``, Kubernetes) and SIGUSR1 (what
#: ``#SBATCH --signal=USR1@120`` sends ahead of the time limit)
DEFAULT_SIGNALS = ('SIGTERM', 'SIGUSR1')


class Preempted(SystemExit):
    """Raised by :class:`PreemptionHook` after the checkpoint is saved; the
    process exits with :data:`PREEMPTED_EXIT_CODE` (a ``SystemExit``, so a
    plain ``runner.train()`` script exits with that code too)."""

    def __init__(self, message: str):
        super().__init__(PREEMPTED_EXIT_CODE)
        self.message = message

    def __str__(self) -> str:
        return self.message


@HOOKS.register_module()
class PreemptionHook(Hook):
    """On SIGTERM or SIGUSR1, save an iteration checkpoint at the end of the
    current training iteration and exit with :data:`PREEMPTED_EXIT_CODE`.

    A cluster ends a job with a signal and, some seconds later, SIGKILL
    (Slurm: ``KillWait``, 30 s by default; ``#SBATCH --signal=B:USR1@120``
    warns 120 s before the time limit). Python's default for SIGTERM ends the
    run at once, losing everything since the last checkpoint. With this hook
    the signal only sets a flag; after the iteration in progress (its
    optimizer step included) every rank saves ``iter_<N>.pth`` through
    ``runner.save_checkpoint``, ``last_checkpoint`` names it, and the run
    exits with code 75. ``--resume`` then continues from iteration N (mid
    epoch with ``ResumableEpochBasedTrainLoop``), so at most the interrupted
    iteration is repeated.

    Distributed runs: a signal may reach only some ranks (``kill -USR1`` of
    one process), so every ``check_interval`` iterations the ranks all-reduce
    (max) one flag and all stop at the same iteration. That is one
    one-element collective per check; a scheduler's warning comes tens of
    seconds ahead, so a larger ``check_interval`` is safe on slow networks.

    The handlers are installed for training only (``before_train`` to
    ``after_train``, main thread), so ``tools/test.py`` keeps Python's
    default behaviour. A signal during validation takes effect at the next
    training iteration; one after the last iteration lets the run finish.

    Config (on by default in ``configs/_base_/default_runtime.py``; off with
    ``default_hooks.preemption=None``)::

        default_hooks = dict(preemption=dict(type='PreemptionHook'))

    Args:
        signals: names of the signals that stop the run.
        check_interval: iterations between two checks of the flag.
    """

    priority = 'LOWEST'  # after the CheckpointHook of the same iteration

    def __init__(self, signals: Sequence[str] = DEFAULT_SIGNALS, check_interval: int = 1):
        unknown = [s for s in signals if not isinstance(getattr(signal, s, None), signal.Signals)]
        if unknown:
            raise ValueError(f'PreemptionHook: unknown signal names {unknown}; use e.g. SIGTERM')
        if not isinstance(check_interval, int) or check_interval < 1:
            raise ValueError(
                f'PreemptionHook: check_interval={check_interval!r}, needs an int >= 1'
            )
        self.signals = [getattr(signal, s) for s in signals]
        self.check_interval = check_interval
        self.received: Optional[int] = None
        self._previous = {}

    def _on_signal(self, signum, frame) -> None:
        if self.received is None:
            self.received = signum

    def before_train(self, runner) -> None:
        self.received = None
        if threading.current_thread() is not threading.main_thread():
            runner.logger.warning('PreemptionHook: not in the main thread, signals not handled')
            return
        for sig in self.signals:
            self._previous[sig] = signal.signal(sig, self._on_signal)

    def _restore_handlers(self) -> None:
        for sig, previous in self._previous.items():
            signal.signal(sig, previous)
        self._previous = {}

    def after_train(self, runner) -> None:
        self._restore_handlers()
        if self.received is not None:
            runner.logger.warning(
                f'{signal.Signals(self.received).name} arrived after the last training '
                'iteration: the run has finished normally.'
            )

    def _stop_requested(self) -> bool:
        flag = 0 if self.received is None else int(self.received)
        if get_world_size() > 1:
            tensor = torch.tensor([flag], dtype=torch.int64, device=get_comm_device())
            all_reduce(tensor, op='max')
            flag = int(tensor.item())
        if flag and self.received is None:
            self.received = flag  # another rank was signalled
        return bool(flag)

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        if (runner.iter + 1) % self.check_interval or not self._stop_requested():
            return
        step = runner.iter + 1
        filename = f'iter_{step}.pth'
        checkpoint = self._save(runner, filename)
        name = signal.Signals(self.received).name
        message = (
            f'{name} received: saved {checkpoint} after iteration {step} '
            f'(epoch {runner.epoch + 1}); exiting with code {PREEMPTED_EXIT_CODE}. '
            'Continue with `tools/train.py CONFIG --work-dir '
            f'{runner.work_dir} --resume` (tools/slurm_train.sh adds --resume by itself).'
        )
        runner.logger.warning(message)
        self._restore_handlers()  # after_train will not run
        raise Preempted(message)

    def _save(self, runner, filename: str) -> str:
        """Save ``filename`` where the CheckpointHook saves (its ``out_dir``)
        unless that hook has just saved this very iteration, and point
        ``last_checkpoint`` at it (written to a temporary file, then renamed)."""
        out_dir = runner.work_dir
        for hook in runner.hooks:
            if type(hook).__name__.endswith('CheckpointHook') and hasattr(hook, 'out_dir'):
                out_dir = hook.out_dir or runner.work_dir
                break
        path = osp.join(out_dir, filename)
        last = runner.message_hub.get_info('last_ckpt')
        if last is None or osp.abspath(last) != osp.abspath(path):
            runner.save_checkpoint(
                out_dir, filename, save_optimizer=True, save_param_scheduler=True, by_epoch=False
            )
            runner.message_hub.update_info('last_ckpt', path)
            if is_main_process():
                marker = osp.join(runner.work_dir, 'last_checkpoint')
                tmp = f'{marker}.tmp{os.getpid()}'
                with open(tmp, 'w') as f:
                    f.write(path)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, marker)
        return path
