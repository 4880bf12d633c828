from .autocast_optim_wrapper import AutocastOptimWrapper
from .exact_accumulation import (ExactAccumulationAmpOptimWrapper,
                                 ExactAccumulationAutocastOptimWrapper,
                                 ExactAccumulationMixin,
                                 ExactAccumulationOptimWrapper)

__all__ = ['AutocastOptimWrapper', 'ExactAccumulationMixin',
           'ExactAccumulationOptimWrapper', 'ExactAccumulationAmpOptimWrapper',
           'ExactAccumulationAutocastOptimWrapper']
