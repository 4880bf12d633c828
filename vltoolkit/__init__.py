"""vltoolkit: an OpenMMLab-style toolkit for vision-and-language research."""
from .version import __version__

__all__ = ['__version__']
