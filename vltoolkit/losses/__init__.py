from .gem import GEMLoss
from .token_cross_entropy import TokenCrossEntropyLoss
from vltoolkit.structures import IGNORE_INDEX  # re-exported: losses take it as ignore_index

__all__ = ['GEMLoss', 'TokenCrossEntropyLoss', 'IGNORE_INDEX']
from .cluster_contrast import ClusterContrastLoss  # noqa: E402
from .feature_reconstruction import FeatureReconstructionLoss  # noqa: E402
from .mms import MMSLoss, mms_loss  # noqa: E402

__all__ += ['MMSLoss', 'mms_loss', 'ClusterContrastLoss', 'FeatureReconstructionLoss']
from .info_nce import InfoNCELoss  # noqa: E402
from .sinkhorn_align import SinkhornAlignLoss, sinkhorn_log  # noqa: E402
from .soft_bce import SoftTargetBCELoss  # noqa: E402

__all__ += ['InfoNCELoss', 'SinkhornAlignLoss',
            'sinkhorn_log', 'SoftTargetBCELoss']
