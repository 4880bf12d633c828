from .autocast_optim_wrapper import AutocastOptimWrapper
from .exact_accumulation import (
    ExactAccumulationAmpOptimWrapper,
    ExactAccumulationAutocastOptimWrapper,
    ExactAccumulationMixin,
    ExactAccumulationOptimWrapper,
)
from .mixed_precision import amp_optim_wrapper_cfg, best_amp_dtype
from .sharded_optim_wrapper import (
    ShardedAmpOptimWrapper,
    ShardedAutocastOptimWrapper,
    ShardedOptimWrapper,
    sharded_clip_grad_norm_,
)
from .trainable_params_constructor import TrainableParamsOptimWrapperConstructor

__all__ = [
    'AutocastOptimWrapper',
    'ShardedOptimWrapper',
    'ShardedAmpOptimWrapper',
    'ShardedAutocastOptimWrapper',
    'sharded_clip_grad_norm_',
    'amp_optim_wrapper_cfg',
    'best_amp_dtype',
    'TrainableParamsOptimWrapperConstructor',
    'ExactAccumulationMixin',
    'ExactAccumulationOptimWrapper',
    'ExactAccumulationAmpOptimWrapper',
    'ExactAccumulationAutocastOptimWrapper',
]
