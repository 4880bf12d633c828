"""A user's loss, outside the package (docs/custom_plugins.md)."""

import torch

from vltoolkit.registry import LOSSES


@LOSSES.register_module()
class ScaledTokenLoss(torch.nn.Module):
    """scale x token cross-entropy."""

    def __init__(self, scale=2.0):
        super().__init__()
        from vltoolkit.losses import TokenCrossEntropyLoss

        self.ce, self.scale = TokenCrossEntropyLoss(), scale

    def forward(self, logits, target, avg_factor=None):
        # target: ids [N] (-100 ignored) or a distribution [N, V] (DESIGN.md contract)
        return self.scale * self.ce(logits, target, avg_factor=avg_factor)
