"""An optimizer that holds only the parameters that train."""

from mmengine.optim import DefaultOptimWrapperConstructor

from vltoolkit.registry import OPTIM_WRAPPER_CONSTRUCTORS


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class TrainableParamsOptimWrapperConstructor(DefaultOptimWrapperConstructor):
    """``DefaultOptimWrapperConstructor`` that leaves out frozen parameters.

    mmengine's default constructor hands every parameter to the optimizer,
    frozen ones included (``frozen_modules``, LoRA bases): AdamW then keeps
    state slots for them and a later unfreeze would apply stale weight
    decay. This constructor gives the optimizer only ``requires_grad``
    parameters (``paramwise_cfg`` still applies to those).

    Use it with ``optim_wrapper=dict(constructor=
    'TrainableParamsOptimWrapperConstructor', ...)`` (the default of the
    schedules in ``configs/_base_/schedules``).
    """

    def add_params(self, params, module, prefix='', is_dcn_module=None):
        before = len(params)
        super().add_params(params, module, prefix, is_dcn_module)
        params[before:] = [g for g in params[before:] if g['params'][0].requires_grad]

    def __call__(self, model):
        if self.paramwise_cfg:  # per-parameter groups, filtered in add_params
            return super().__call__(model)
        inner = model.module if hasattr(model, 'module') else model
        return super().__call__(_TrainableParameters(inner))


class _TrainableParameters:
    """A view of a module whose ``parameters()`` are the trainable ones."""

    def __init__(self, module):
        self._module = module

    def parameters(self):
        return [p for p in self._module.parameters() if p.requires_grad]
