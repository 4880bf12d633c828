from .token_cross_entropy import TokenCrossEntropyLoss
from .utils import IGNORE_INDEX

__all__ = ['TokenCrossEntropyLoss', 'IGNORE_INDEX']
