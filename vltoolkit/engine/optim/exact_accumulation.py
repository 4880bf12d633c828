"""Optimizer wrappers whose accumulation window is set by the train loop."""

from mmengine.optim import AmpOptimWrapper, OptimWrapper

from vltoolkit.registry import OPTIM_WRAPPERS

from .autocast_optim_wrapper import AutocastOptimWrapper


class ExactAccumulationMixin:
    """Accumulate over a window of micro-batches chosen per update.

    mmengine's ``accumulative_counts`` is a fixed number of micro-batches and
    divides each loss by it. Here :class:`ExactAccumulationTrainLoop` calls
    :meth:`begin_update` with the number of micro-batches of the coming
    update; the parameters step after the last of them, gradients are only
    all-reduced on that last backward (DDP ``no_sync`` before), and losses
    are not rescaled: the model already divides each micro-batch's loss sum
    by the count of the whole update, so the accumulated gradient equals
    that of one big batch. Without :meth:`begin_update` (another loop) it
    behaves like its base wrapper.
    """

    _plan_start = None
    _plan_size = None

    def begin_update(self, num_micro_batches: int) -> None:
        self._plan_start = self._inner_count
        self._plan_size = int(num_micro_batches)

    def _position(self) -> int:
        return self._inner_count - self._plan_start

    def should_update(self) -> bool:
        if self._plan_size is None:
            return super().should_update()
        return self._position() >= self._plan_size

    def should_sync(self) -> bool:
        if self._plan_size is None:
            return super().should_sync()
        return self._position() + 1 >= self._plan_size

    def scale_loss(self, loss):
        if self._plan_size is None:
            return super().scale_loss(loss)
        return loss


@OPTIM_WRAPPERS.register_module()
class ExactAccumulationOptimWrapper(ExactAccumulationMixin, OptimWrapper):
    """``OptimWrapper`` with :class:`ExactAccumulationMixin`."""


@OPTIM_WRAPPERS.register_module()
class ExactAccumulationAmpOptimWrapper(ExactAccumulationMixin, AmpOptimWrapper):
    """``AmpOptimWrapper`` (fp16 / bf16 on GPU) with exact accumulation."""


@OPTIM_WRAPPERS.register_module()
class ExactAccumulationAutocastOptimWrapper(ExactAccumulationMixin, AutocastOptimWrapper):
    """``AutocastOptimWrapper`` (bf16, CPU too) with exact accumulation."""
