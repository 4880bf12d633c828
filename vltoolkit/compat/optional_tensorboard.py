"""mmengine's TensorBoard backend, as an optional dependency."""

from mmengine.logging import print_log
from mmengine.visualization import TensorboardVisBackend

from vltoolkit.registry import VISBACKENDS


class _NullWriter:
    """Swallows every ``SummaryWriter`` call."""

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


@VISBACKENDS.register_module()
class OptionalTensorboardVisBackend(TensorboardVisBackend):
    """``TensorboardVisBackend`` that turns itself off when TensorBoard is
    not installed, instead of failing the run.

    With ``tensorboard`` installed (``pip install tensorboard``, see
    ``requirements/optional.txt``) it writes the scalars, images and config
    of a run to ``<work_dir>/<timestamp>/vis_data`` for
    ``tensorboard --logdir work_dirs``; without it, it logs one line and
    does nothing. The default runtime enables it next to
    ``LocalVisBackend`` (whose ``scalars.json`` ``tools/analysis/plot_curves.py``
    reads).
    """

    def _init_env(self):
        try:
            super()._init_env()
        except ImportError:
            print_log(
                'tensorboard is not installed: TensorBoard logging is off '
                '(pip install tensorboard to turn it on).',
                logger='current',
            )
            self._tensorboard = _NullWriter()
