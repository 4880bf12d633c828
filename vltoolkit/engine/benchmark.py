"""Measure training steps: the Runner's against a hand-written loop.

Used by ``tools/analysis/benchmark_train.py`` (and ``gpu_check.sh``): the
Runner trains ``warmup + steps`` iterations while :class:`StepClockHook`
records, for each iteration, the time spent waiting for the batch and the
time of the step itself (all hooks included); the batches it consumed are
kept, and :func:`hand_loop` trains the same model on the same batches with
plain PyTorch (forward, backward, clip, step). The ratio of the two step
times is the Runner's overhead.
"""

import time
from typing import List, Optional

import torch
from mmengine.hooks import Hook

from vltoolkit.registry import HOOKS

#: dense bf16 tensor-core peak (FLOP/s) of common training GPUs, by name part
GPU_PEAK_BF16 = {
    'H200': 989e12,
    'H100': 989e12,
    'A100': 312e12,
    'L40S': 362e12,
    'A10G': 125e12,
    'L4': 121e12,
    'RTX 4090': 165e12,
    'V100': 125e12,
}


def device_peak_flops(device: torch.device) -> Optional[float]:
    """The bf16 peak of the GPU ``device`` when known, else ``None`` (CPUs:
    the benchmark then prints FLOP/s instead of MFU)."""
    if device.type != 'cuda':
        return None
    name = torch.cuda.get_device_name(device)
    return next((peak for key, peak in GPU_PEAK_BF16.items() if key in name), None)


def synchronize(device: torch.device) -> None:
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


@HOOKS.register_module()
class StepClockHook(Hook):
    """Clock every training iteration: the wait for its batch (from the
    end of the previous iteration to its first hook), its step (first
    ``before_train_iter`` hook to last ``after_train_iter`` hook) and,
    inside it, ``model.train_step`` (the rest is the hooks' and the loop's
    overhead, measured in the same iteration); keep its batch. Runs first
    before and last after each iteration."""

    priority = 'HIGHEST'

    def __init__(self, device: str = 'cpu', keep_batches: bool = True):
        self.device = torch.device(device)
        self.keep_batches = keep_batches
        self.waits: List[float] = []
        self.steps: List[float] = []
        self.cpu_steps: List[float] = []  # process CPU time: robust to sharing
        self.batches: list = []
        self._last_end = None
        self._start = None

    def before_train(self, runner) -> None:
        self.train_step_times: List[float] = []
        model = runner.model
        train_step = model.train_step

        def timed_train_step(*args, **kwargs):
            synchronize(self.device)
            start = time.perf_counter()
            out = train_step(*args, **kwargs)
            synchronize(self.device)
            self.train_step_times.append(time.perf_counter() - start)
            return out

        model.train_step = timed_train_step  # the loop calls runner.model.train_step
        synchronize(self.device)
        self._last_end = time.perf_counter()

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        self._start = time.perf_counter()
        self._cpu_start = time.process_time()
        self.waits.append(self._start - self._last_end)
        if self.keep_batches:
            self.batches.append(data_batch)

    def end_of_iter(self) -> None:
        """Called by :class:`StepClockEndHook`, the last hook of an iteration."""
        synchronize(self.device)
        self._last_end = time.perf_counter()
        self.steps.append(self._last_end - self._start)
        self.cpu_steps.append(time.process_time() - self._cpu_start)


@HOOKS.register_module()
class StepClockEndHook(Hook):
    """Closes :class:`StepClockHook`'s clock after every other hook."""

    priority = 'LOWEST'

    def __init__(self, clock: StepClockHook):
        self.clock = clock

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        self.clock.end_of_iter()


def hand_step(model, optimizer, batch, clip_max_norm=None, amp_dtype=None, device_type='cpu'):
    """One training step written by hand: preprocess, forward under
    autocast (when ``amp_dtype``), backward, clip, step, zero the grads.
    Returns the loss tensor (no ``.item()``: no device sync)."""
    with torch.autocast(device_type, dtype=amp_dtype, enabled=amp_dtype is not None):
        data = model.data_preprocessor(batch, True)
        losses = model(**data, mode='loss')
        loss = sum(v for k, v in losses.items() if 'loss' in k)
    loss.backward()
    if clip_max_norm:
        torch.nn.utils.clip_grad_norm_(
            [p for g in optimizer.param_groups for p in g['params']], clip_max_norm
        )
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    return loss.detach()


def hand_loop(model, optimizer, batches, device, cpu_times=None, **step_kw) -> List[float]:
    """:func:`hand_step` over ``batches``; the seconds of each step (and
    the process CPU seconds appended to ``cpu_times`` when given)."""
    model.train()
    times = []
    for batch in batches:
        synchronize(device)
        start, cpu_start = time.perf_counter(), time.process_time()
        hand_step(model, optimizer, batch, device_type=device.type, **step_kw)
        synchronize(device)
        times.append(time.perf_counter() - start)
        if cpu_times is not None:
            cpu_times.append(time.process_time() - cpu_start)
    return times


def step_flops(model, optimizer, batch, device, **step_kw) -> int:
    """FLOPs of one forward + backward, counted by PyTorch's
    ``FlopCounterMode`` (matmuls, convolutions, attention), through one
    :func:`hand_step`; the parameters and optimizer state are restored
    afterwards, so the measured runs are unaffected."""
    from torch.utils.flop_counter import FlopCounterMode

    params = [p for g in optimizer.param_groups for p in g['params']]
    saved = [p.detach().clone() for p in params]
    state = optimizer.state_dict()
    with FlopCounterMode(display=False) as counter:
        hand_step(model, optimizer, batch, device_type=device.type, **step_kw)
    with torch.no_grad():
        for p, s in zip(params, saved):
            p.copy_(s)
    optimizer.load_state_dict(state)
    return counter.get_total_flops()
