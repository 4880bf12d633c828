"""A user's plugin living outside the package: a loss and a metric.

Loaded by a config through ``custom_imports=dict(imports=['my_plugin'])``.
"""

import torch
from mmengine.evaluator import BaseMetric

from vltoolkit.registry import LOSSES, METRICS


@LOSSES.register_module()
class ScaledTokenLoss(torch.nn.Module):
    """Twice the token cross-entropy (a recognisable user loss)."""

    def __init__(self, scale=2.0):
        super().__init__()
        from vltoolkit.losses import TokenCrossEntropyLoss

        self.ce = TokenCrossEntropyLoss()
        self.scale = scale

    def forward(self, logits, target, avg_factor=None):
        return self.scale * self.ce(logits, target, avg_factor=avg_factor)


@METRICS.register_module()
class ExactMatch(BaseMetric):
    """Percent of answers equal to the target text."""

    default_prefix = 'user'

    def process(self, data_batch, data_samples):
        for s in data_samples:
            s = s if isinstance(s, dict) else s.to_dict()
            self.results.append(s['pred_text'].strip() == s['target_text'].strip())

    def compute_metrics(self, results):
        return dict(exact_match=100.0 * sum(results) / max(len(results), 1))
