"""vltoolkit: an OpenMMLab-style toolkit for vision-and-language research.

Importing it applies the library workarounds of :mod:`vltoolkit.compat`
(e.g. mmengine's ``load_checkpoint`` loads our checkpoints safely on
torch >= 2.6), in the tools and in a user's own scripts alike.
"""

from .compat import setup_vltoolkit
from .version import __version__

setup_vltoolkit()

__all__ = ['__version__']
