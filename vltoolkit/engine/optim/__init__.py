from .autocast_optim_wrapper import AutocastOptimWrapper
from .trainable_params_constructor import TrainableParamsOptimWrapperConstructor
from .exact_accumulation import (ExactAccumulationAmpOptimWrapper,
                                 ExactAccumulationAutocastOptimWrapper,
                                 ExactAccumulationMixin,
                                 ExactAccumulationOptimWrapper)

__all__ = ['AutocastOptimWrapper', 'TrainableParamsOptimWrapperConstructor', 'ExactAccumulationMixin',
           'ExactAccumulationOptimWrapper', 'ExactAccumulationAmpOptimWrapper',
           'ExactAccumulationAutocastOptimWrapper']
