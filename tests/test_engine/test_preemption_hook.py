"""SIGTERM / SIGUSR1 save an iteration checkpoint and exit with code 75;
resuming from it ends where an uninterrupted run ends."""

import os
import signal

import pytest
import torch
from mmengine.hooks import Hook

from vltoolkit.compat import safe_torch_load
from vltoolkit.engine import build_runner
from vltoolkit.engine.hooks import PREEMPTED_EXIT_CODE, Preempted, PreemptionHook
from vltoolkit.registry import HOOKS

from .resume_toy import Recorder, config


@HOOKS.register_module(name='_SignalDuringIter', force=True)
class SignalDuringIter(Hook):
    """Signal this process during iteration ``at_iter``, before its step."""

    def __init__(self, at_iter, signum):
        self.at_iter, self.signum = at_iter, signum

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if runner.iter + 1 == self.at_iter:
            os.kill(os.getpid(), getattr(signal, self.signum))


def _runner(work_dir, at_iter=None, signum='SIGTERM', **kwargs):
    cfg = config(work_dir, 4, max_epochs=3, **kwargs)  # 3 iterations per epoch
    cfg.default_hooks.preemption = dict(type='PreemptionHook')
    if at_iter:
        cfg.custom_hooks.append(dict(type='_SignalDuringIter', at_iter=at_iter, signum=signum))
    return build_runner(cfg)


def _batches(runner):
    return [h for h in runner.hooks if isinstance(h, Recorder)][0].batches


@pytest.mark.parametrize('signum', ['SIGTERM', 'SIGUSR1'])
def test_signal_saves_the_iteration_exits_75_and_resume_ends_like_an_uninterrupted_run(
    tmp_path, signum
):
    full = _runner(tmp_path / 'full')
    full.train()
    before = signal.getsignal(getattr(signal, signum))

    cut = _runner(tmp_path / 'cut', at_iter=5, signum=signum)
    with pytest.raises(Preempted) as stop:
        cut.train()
    assert stop.value.code == PREEMPTED_EXIT_CODE == 75
    assert f'{signum} received' in str(stop.value) and '--resume' in str(stop.value)
    # the interrupted iteration 5 finished (its step included) and was saved
    ckpt = tmp_path / 'cut' / 'iter_5.pth'
    assert (tmp_path / 'cut' / 'last_checkpoint').read_text() == str(ckpt)
    meta = safe_torch_load(str(ckpt), map_location='cpu')['meta']
    assert (meta['epoch'], meta['iter']) == (1, 5)
    assert len(_batches(cut)) == 5
    # the process's own handlers are back once the run stopped
    assert signal.getsignal(getattr(signal, signum)) == before

    resumed = _runner(tmp_path / 'cut', resume=True)
    resumed.train()
    assert _batches(resumed) == _batches(full)[5:]  # iterations 6..9, same samples
    assert torch.equal(resumed.model.w, full.model.w)


def test_no_second_save_when_the_checkpoint_hook_saved_that_iteration(tmp_path, monkeypatch):
    runner = _runner(tmp_path, at_iter=4, ckpt_every=2)
    saved = []
    real = runner.save_checkpoint
    monkeypatch.setattr(
        runner,
        'save_checkpoint',
        lambda out, name, *a, **k: (saved.append(name), real(out, name, *a, **k)),
    )
    with pytest.raises(Preempted):
        runner.train()
    assert saved == ['iter_2.pth', 'iter_4.pth']
    assert (tmp_path / 'last_checkpoint').read_text() == str(tmp_path / 'iter_4.pth')


def test_handlers_only_during_training_and_bad_arguments_refused(tmp_path):
    before = signal.getsignal(signal.SIGTERM)
    runner = _runner(tmp_path)
    hook = [h for h in runner.hooks if isinstance(h, PreemptionHook)][0]
    hook.before_train(runner)
    assert signal.getsignal(signal.SIGTERM) == hook._on_signal
    hook.after_train(runner)
    assert signal.getsignal(signal.SIGTERM) == before
    with pytest.raises(ValueError, match='unknown signal names'):
        PreemptionHook(signals=['SIGNOPE'])
    with pytest.raises(ValueError, match='check_interval'):
        PreemptionHook(check_interval=0)
