"""A user's loss, outside the package (docs/custom_plugins.md)."""

from vltoolkit.losses import BaseTokenLoss
from vltoolkit.registry import LOSSES


@LOSSES.register_module()
class ScaledTokenLoss(BaseTokenLoss):
    """scale x token cross-entropy: l_i = -scale * sum_v t_iv log softmax(z_i)_v."""

    def __init__(self, scale=2.0, **kwargs):
        super().__init__(**kwargs)  # ignore_index, loss_weight
        self.scale = scale

    def per_position(self, logits, target):
        # logits [N, V]; target: ids [N] (-100 where ignored) or a distribution [N, V]
        log_p = logits.log_softmax(-1)
        if target.dim() == 1:
            log_p_target = log_p.gather(1, target.clamp(min=0)[:, None])[:, 0]
        else:
            log_p_target = (target * log_p).sum(-1)
        return -self.scale * log_p_target  # [N]; BaseTokenLoss masks, weighs, divides
