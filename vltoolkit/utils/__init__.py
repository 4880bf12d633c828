"""Small helpers shared across vltoolkit: the train / test command line
(:mod:`vltoolkit.utils.cli`) and one progress display
(:mod:`vltoolkit.utils.progress`). Library workarounds live in
:mod:`vltoolkit.compat`."""

from .progress import ProgressBar, progress_mode, track

__all__ = ['ProgressBar', 'progress_mode', 'track']
