"""Clamp learnable logit scales after the optimizer step, as open_clip does."""

from typing import List

import torch.nn as nn
from mmengine.hooks import Hook
from mmengine.logging import print_log

from vltoolkit.registry import HOOKS


def clampable_modules(model: nn.Module) -> List[nn.Module]:
    """The modules of ``model`` (wrapped or not) with a ``clamp_scale_()``."""
    return [m for m in model.modules() if callable(getattr(m, 'clamp_scale_', None))]


@HOOKS.register_module()
class LogitScaleClampHook(Hook):
    r"""Clamp every learnable logit scale in place after each optimizer step.

    open_clip (``open_clip_train/train.py``) lets the CLIP logit scale learn
    with its full gradient and, right after ``optimizer.step()``, runs::

        with torch.no_grad():
            unwrap_model(model).logit_scale.clamp_(0, math.log(100))

    A clamp inside the forward pass instead (``exp(s).clamp(max=100)``) has a
    zero gradient above the bound, so a scale that crosses it never comes
    back. This hook calls ``clamp_scale_()`` on every module of the model
    that has one (:class:`~vltoolkit.losses.InfoNCELoss`:
    :math:`\text{log\_scale} \leftarrow \min(\text{log\_scale}, \log
    \text{max\_scale})`) after every training iteration (the optimizer step
    happens inside ``train_step``; under gradient accumulation an iteration
    without a step finds the scale unchanged, and clamping is idempotent),
    and once before training, so a resumed or loaded checkpoint starts
    inside the bound. It runs before the checkpoint hook, so a saved scale
    is a clamped one.

    Config (with the scale kept out of weight decay, as open_clip does)::

        custom_hooks = [dict(type='LogitScaleClampHook')]
        optim_wrapper = dict(paramwise_cfg=dict(
            custom_keys={'align_loss.log_scale': dict(decay_mult=0.0)}))
    """

    priority = 'ABOVE_NORMAL'

    def __init__(self) -> None:
        self._modules = None  # found once, in before_train

    def before_train(self, runner) -> None:
        modules = self._modules = clampable_modules(runner.model)
        if not modules:
            print_log(
                'LogitScaleClampHook: the model has no module with '
                'clamp_scale_() (e.g. InfoNCELoss); the hook does '
                'nothing. Remove it from custom_hooks or add the loss.',
                logger='current',
                level=30,
            )
        for module in modules:
            module.clamp_scale_()

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        if self._modules is None:
            self._modules = clampable_modules(runner.model)
        for module in self._modules:
            module.clamp_scale_()
