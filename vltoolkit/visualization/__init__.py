from vltoolkit.compat.optional_tensorboard import OptionalTensorboardVisBackend

from .sample_drawing import draw_evaluated_sample
from .vl_visualizer import VLVisualizer

__all__ = [
    'VLVisualizer',
    'OptionalTensorboardVisBackend',
    'draw_evaluated_sample',
]
