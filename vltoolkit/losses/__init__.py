from .gem import GEMLoss
from .token_cross_entropy import TokenCrossEntropyLoss
from .utils import IGNORE_INDEX

__all__ = ['GEMLoss', 'TokenCrossEntropyLoss', 'IGNORE_INDEX']
