"""Stop a run at its first NaN / inf loss, before the weights take the step."""

import math
from typing import Dict, List, Optional

import torch
from mmengine.hooks import Hook
from mmengine.optim import OptimWrapperDict

from vltoolkit.registry import HOOKS


class NonFiniteLossError(FloatingPointError):
    """A training loss was NaN or infinite (more often than allowed)."""


def non_finite_terms(outputs: Optional[Dict]) -> List[str]:
    """The names of the loss terms in ``outputs`` (the ``log_vars`` of a
    ``train_step``) whose value is NaN or infinite."""
    bad = []
    for key, value in (outputs or {}).items():
        if isinstance(value, torch.Tensor):
            finite = bool(torch.isfinite(value.detach()).all())
        elif isinstance(value, (int, float)):
            finite = math.isfinite(value)
        else:
            continue
        if not finite:
            bad.append(f'{key}={float(value.detach().mean() if torch.is_tensor(value) else value)}')
    return bad


@HOOKS.register_module()
class NonFiniteLossHook(Hook):
    """Check every training loss before it reaches the weights.

    A run whose loss turns NaN or infinite (too high a learning rate, a
    ``log(0)``, an fp16 overflow) otherwise goes on logging ``loss: nan``,
    exits 0 and saves NaN weights, also as the "best" checkpoint. This hook
    wraps ``optim_wrapper.update_params``: when the total loss is not finite
    (:math:`\\lnot \\forall i:\\ \\mathrm{isfinite}(L_i)`) it skips the backward
    pass and the optimizer step, so the weights keep their last finite
    values, and after the iteration it

    - raises :class:`NonFiniteLossError` naming the iteration, the epoch and
      the non-finite loss terms (``max_skips=0``, the default), or
    - logs a warning and goes on, up to ``max_skips`` such batches in the
      run, then raises.

    Cost: one ``torch.isfinite(loss).all()`` read on the host per training
    iteration, i.e. one device synchronisation (mmengine's
    ``RuntimeInfoHook`` already reads every loss term with ``.item()`` each
    iteration, so on a GPU the check adds no new stall; on CPU it is a few
    microseconds). Checkpoints get their own check (a checkpoint with a
    non-finite weight is never written, see
    :mod:`vltoolkit.compat.atomic_checkpoint`).

    ``build_runner`` adds it to every run; configure it with
    ``custom_hooks = [dict(type='NonFiniteLossHook', max_skips=5)]``.

    Args:
        max_skips (int): batches with a non-finite loss that are skipped
            (no update) before the run stops. Defaults to 0: stop at the
            first one.
    """

    priority = 'HIGH'  # after RuntimeInfoHook, before the checkpoint hook

    def __init__(self, max_skips: int = 0):
        if isinstance(max_skips, bool) or not isinstance(max_skips, int) or max_skips < 0:
            raise ValueError(
                f'NonFiniteLossHook(max_skips={max_skips!r}): give a whole number >= 0'
            )
        self.max_skips = max_skips
        self.skipped = 0
        self._bad_loss: Optional[float] = None
        self._checked = False

    def before_train(self, runner) -> None:
        wrappers = runner.optim_wrapper
        if isinstance(wrappers, OptimWrapperDict):
            wrappers = list(wrappers.values())
        else:
            wrappers = [wrappers]
        for wrapper in wrappers:
            if not getattr(wrapper.update_params, '_vltoolkit_finite_check', False):
                wrapper.update_params = self._checked_update(wrapper, wrapper.update_params)

    def _checked_update(self, wrapper, update_params):
        def update_if_finite(loss, *args, **kwargs):
            self._checked = True
            if bool(torch.isfinite(loss.detach()).all()):  # the one sync per step
                return update_params(loss, *args, **kwargs)
            self._bad_loss = float(loss.detach().float().mean())
            # no backward: this batch adds no gradient; keep the
            # accumulation count so the next real step happens on time
            if hasattr(wrapper, '_inner_count'):
                wrapper._inner_count += 1
                accumulating = getattr(wrapper, '_accumulative_counts', 1) > 1
                if accumulating and wrapper.should_update():  # the others' gradients
                    wrapper.step()
                    wrapper.zero_grad()
            return None

        update_if_finite._vltoolkit_finite_check = True
        return update_if_finite

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        bad_loss, checked = self._bad_loss, self._checked
        self._bad_loss, self._checked = None, False
        if checked and bad_loss is None:
            return
        terms = non_finite_terms(outputs if isinstance(outputs, dict) else None)
        if bad_loss is None and not terms:
            return  # a train_step without update_params, finite
        self.skipped += 1
        where = f'iteration {runner.iter + 1} (epoch {runner.epoch + 1}, batch {batch_idx + 1})'
        what = ', '.join(terms) or f'loss={bad_loss}'
        if self.skipped > self.max_skips:
            raise NonFiniteLossError(
                f'non-finite training loss at {where}: {what}. The run stops here '
                '(the weights did not take this step; checkpoints with '
                'non-finite weights are never written). Lower the learning '
                'rate, add gradient clipping (optim_wrapper.clip_grad='
                'dict(max_norm=1.0)), check the data of this batch, or allow '
                'a few such batches with custom_hooks=[dict(type='
                f"'NonFiniteLossHook', max_skips=N)] (now {self.max_skips})."
            )
        runner.logger.warning(
            f'non-finite training loss at {where}: {what}; batch skipped '
            f'({self.skipped} of max_skips={self.max_skips})'
        )
