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

    (public code brian7685/Multimodal-Clustering-Network,
    ``model_tri_kmeans.py``: ``mse_v + mse_a + mse_t``, each
    ``mean(MSELoss(reduction='none')(recon, gt), dim=-1)``, and
    ``train_tri_kmeans.py``: ``mean(...) * 50``).

    **Gradient through the target.** In the official code the targets of
    audio and text are the outputs of trainable layers (``audio_gt`` is the
    pooled DAVEnet output, ``text_gt`` the ``Sentence_Maxpool`` output), and
    they are *not* detached: the gradient of :math:`L_{rec}` reaches the
    audio CNN and the text layer from both sides, :math:`\partial L /
    \partial x^m = -\frac{2\lambda}{B D_m} (g_m(e^m) - x^m)` on top of
    the path through :math:`e^m`. That is the default here
    (``detach_target=False``). ``detach_target=True`` stops the gradient at
    the target (:math:`\mathrm{sg}(x^m)`), so the input feature is not
    pulled towards its reconstruction; with trainable targets it changes
    the encoder gradients (by ~100% on the audio CNN and the text layer of
    the tiny MCN in the tests), so it is a different method, not a
    numerical detail. The video target is the input feature itself, which
    has no gradient either way.

    Args:
        loss_weight (float): :math:`\lambda`. Default 50.
        detach_target (bool): stop the gradient at the target. Default False
            (the official code).

    ``forward(pred [B, D_m], target [B, D_m]) -> scalar`` is the term of one
    modality; the model sums it over the modalities.
    """

    def __init__(self, loss_weight: float = 50.0, detach_target: bool = False):
        super().__init__()
        self.loss_weight = loss_weight
        self.detach_target = detach_target

    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        if pred.shape != target.shape:
            raise ValueError(
                f'FeatureReconstructionLoss: prediction '
                f'{tuple(pred.shape)} vs target {tuple(target.shape)}'
            )
        if self.detach_target:
            target = target.detach()
        per_sample = ((pred - target) ** 2).mean(-1)
        return self.loss_weight * per_sample.mean()
