from .vl_visualizer import VLVisualizer

__all__ = ['VLVisualizer']
from vltoolkit.compat.optional_tensorboard import OptionalTensorboardVisBackend  # noqa: E402

__all__ += ['OptionalTensorboardVisBackend']
from .sample_drawing import draw_evaluated_sample  # noqa: E402

__all__ += ['draw_evaluated_sample']
