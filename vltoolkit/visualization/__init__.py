from .vl_visualizer import VLVisualizer

__all__ = ['VLVisualizer']
