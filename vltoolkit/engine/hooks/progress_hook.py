"""Progress of training, validation and testing (``done/total``, rate, ETA)."""

from typing import Optional

from mmengine.dist import is_main_process
from mmengine.hooks import Hook

from vltoolkit.registry import HOOKS
from vltoolkit.utils.progress import ProgressBar, progress_mode


@HOOKS.register_module()
class RichProgressHook(Hook):
    """Show a progress display for every validation and test pass, and for
    training when attached to a terminal (on by default in
    ``configs/_base_/default_runtime.py``).

    It uses :class:`~vltoolkit.utils.progress.ProgressBar`, so the mode is
    ``$VLT_PROGRESS`` (``auto`` / ``rich`` / ``plain`` / ``off``) unless
    ``mode`` is given. In a terminal (``auto`` -> ``rich``) training shows one
    live bar over the whole run (``max_iters`` steps, starting at the resumed
    iteration) and every validation / test pass a bar over its batches;
    mmengine's log lines print above them. Without a terminal (``plain``)
    training logs only mmengine's own lines (greppable logs), and validation
    / testing add one line per 10% of the batches, e.g.
    ``test: 30/120 (25%), 2.10 it/s, elapsed 0:00:14, ETA 0:00:43``.
    Only the main process shows anything.

    Args:
        mode (str, optional): overrides ``$VLT_PROGRESS``.
        train (bool): show the training bar in rich mode.
    """

    priority = 'NORMAL'

    def __init__(self, mode: Optional[str] = None, train: bool = True):
        progress_mode(mode)  # a bad mode fails when the config is built
        self.mode = mode
        self.train = train
        self._bars = {}

    def _open(self, key, runner, total, description, completed=0):
        if not is_main_process():
            return
        self._bars[key] = ProgressBar(
            total, description, mode=self.mode, logger=runner.logger, completed=completed
        ).start()

    def _advance(self, key):
        bar = self._bars.get(key)
        if bar is not None:
            bar.update()

    def _close(self, key):
        bar = self._bars.pop(key, None)
        if bar is not None:
            bar.close()

    # ------------------------------------------------------------ training
    def before_train(self, runner) -> None:
        if self.train and progress_mode(self.mode) == 'rich':
            self._open('train', runner, runner.max_iters, 'train', completed=runner.iter)

    def before_train_epoch(self, runner) -> None:
        bar = self._bars.get('train')
        if bar is not None:
            bar.set_description(f'train epoch {runner.epoch + 1}/{runner.max_epochs}')

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        self._advance('train')

    def after_train(self, runner) -> None:
        self._close('train')

    # ---------------------------------------------------- validation / test
    def before_val_epoch(self, runner) -> None:
        self._open('val', runner, len(runner.val_loop.dataloader), 'val')

    def after_val_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        self._advance('val')

    def after_val_epoch(self, runner, metrics=None) -> None:
        self._close('val')

    def before_test_epoch(self, runner) -> None:
        self._open('test', runner, len(runner.test_loop.dataloader), 'test')

    def after_test_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        self._advance('test')

    def after_test_epoch(self, runner, metrics=None) -> None:
        self._close('test')
