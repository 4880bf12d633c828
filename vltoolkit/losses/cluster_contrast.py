"""MCN's clustering loss: contrast each embedding with the k-means centroids."""

import torch
import torch.nn as nn
import torch.nn.functional as F

from vltoolkit.registry import LOSSES


@LOSSES.register_module()
class ClusterContrastLoss(nn.Module):
    r"""Instance-to-centroid contrast of MCN (Chen et al., ICCV 2021, arXiv
    2104.12671, the multimodal clustering loss of the method section).

    Online k-means over the fused joint embeddings
    :math:`f_i = \frac{1}{|M|}\sum_{m \in M} e^m_i` gives centroids
    :math:`\mu_1..\mu_K` and an assignment :math:`c_i` per clip. Every
    modality's embedding is pulled towards the centroid of its clip's
    cluster and pushed from the others, with raw dot products and a margin
    :math:`\delta` on the assigned centroid:

    .. math::
        S^m_{ik} = (e^m_i)^\top \mu_k - \delta\,[k = c_i],

        L_{clu} = \frac{1}{|M|} \sum_{m \in M} -\frac{1}{B} \sum_{i=1}^{B}
            \log \frac{e^{S^m_{i c_i}}}{\sum_{k=1}^{K} e^{S^m_{ik}}}

    (public code ``train_tri_kmeans.py: cluster_contrast``: margin 0.001,
    averaged over the modalities v, a, t; weight ``clu_lamb = 1``). The
    centroids and the assignments carry no gradient.

    Args:
        margin (float): :math:`\delta`. Default 0.001.
        loss_weight (float): multiplies the loss. Default 1.

    ``forward(x [B, D], centroids [K, D], labels [B]) -> scalar`` is the
    term of one modality; the model averages it over the modalities.
    """

    def __init__(self, margin: float = 0.001, loss_weight: float = 1.0):
        super().__init__()
        self.margin = margin
        self.loss_weight = loss_weight

    def forward(
        self, x: torch.Tensor, centroids: torch.Tensor, labels: torch.Tensor
    ) -> torch.Tensor:
        if x.shape[-1] != centroids.shape[-1]:
            raise ValueError(
                f'ClusterContrastLoss: embeddings of dim '
                f'{x.shape[-1]} vs centroids {tuple(centroids.shape)}'
            )
        sim = x @ centroids.detach().t()
        sim = sim - self.margin * F.one_hot(labels, sim.shape[1]).to(sim.dtype)
        return self.loss_weight * F.cross_entropy(sim, labels)
