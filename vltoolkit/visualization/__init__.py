from .vl_visualizer import VLVisualizer

__all__ = ['VLVisualizer']
from .optional_tensorboard import OptionalTensorboardVisBackend  # noqa: E402

__all__ += ['OptionalTensorboardVisBackend']
