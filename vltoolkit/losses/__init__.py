from vltoolkit.structures import IGNORE_INDEX

from .base_token_loss import LOSS_NORMALIZATIONS, BaseTokenLoss, accepts_weight
from .cluster_contrast import ClusterContrastLoss
from .feature_reconstruction import FeatureReconstructionLoss
from .gem import GEMLoss
from .info_nce import InfoNCELoss
from .mms import MMSLoss, mms_loss
from .number_target import NumberTarget
from .number_token_loss import NumberTokenLoss
from .sinkhorn_align import SinkhornAlignLoss, sinkhorn_log
from .soft_bce import SoftTargetBCELoss
from .token_cross_entropy import TokenCrossEntropyLoss

__all__ = [
    'BaseTokenLoss',
    'LOSS_NORMALIZATIONS',
    'accepts_weight',
    'GEMLoss',
    'TokenCrossEntropyLoss',
    'NumberTokenLoss',
    'NumberTarget',
    'IGNORE_INDEX',
    'MMSLoss',
    'mms_loss',
    'ClusterContrastLoss',
    'FeatureReconstructionLoss',
    'InfoNCELoss',
    'SinkhornAlignLoss',
    'sinkhorn_log',
    'SoftTargetBCELoss',
]
