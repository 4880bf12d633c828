"""MCN's reconstruction loss: decode each joint embedding back to its input."""
import torch
import torch.nn as nn

from vltoolkit.registry import LOSSES


@LOSSES.register_module()
class FeatureReconstructionLoss(nn.Module):
    r"""Mean squared reconstruction error of MCN (Chen et al., ICCV 2021,
    arXiv 2104.12671, the reconstruction term of the method section).

    A decoder :math:`g_m` per modality maps the joint embedding
    :math:`e^m_i` back to the modality's input feature :math:`x^m_i`
    (:math:`D_m` dims: the video feature, the pooled audio-CNN output, the
    max-pooled text feature):

    .. math::
        L_{rec} = \lambda \cdot \frac{1}{B} \sum_{i=1}^{B} \sum_{m \in M}
            \frac{1}{D_m} \lVert g_m(e^m_i) - x^m_i \rVert_2^2

    (public code ``model_kmeans_ICCV.py`` / ``train_tri_kmeans.py``: the
    per-sample MSEs of v, a, t are summed, averaged over the batch and
    weighted by :math:`\lambda` = 50). The target is detached, as the input
    feature is not meant to move towards its reconstruction.

    Args:
        loss_weight (float): :math:`\lambda`. Default 50.

    ``forward(pred [B, D_m], target [B, D_m]) -> scalar`` is the term of one
    modality; the model sums it over the modalities.
    """

    def __init__(self, loss_weight: float = 50.0):
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        if pred.shape != target.shape:
            raise ValueError(f'FeatureReconstructionLoss: prediction '
                             f'{tuple(pred.shape)} vs target {tuple(target.shape)}')
        per_sample = ((pred - target.detach()) ** 2).mean(-1)
        return self.loss_weight * per_sample.mean()
