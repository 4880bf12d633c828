from .vl_visualizer import VLVisualizer

__all__ = ['VLVisualizer']
from vltoolkit.compat.optional_tensorboard import OptionalTensorboardVisBackend  # noqa: E402

__all__ += ['OptionalTensorboardVisBackend']
