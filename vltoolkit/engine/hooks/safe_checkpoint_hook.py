"""``CheckpointHook`` that prunes old checkpoints only after the new one is
complete, and writes ``last_checkpoint`` atomically."""

import os.path as osp
from contextlib import contextmanager

from mmengine.dist import is_main_process
from mmengine.hooks import CheckpointHook

from vltoolkit.compat.atomic_checkpoint import write_text_atomic
from vltoolkit.registry import HOOKS


class _DeferRemoval:
    """A file backend whose ``remove`` / ``rmtree`` only note the path."""

    def __init__(self, backend):
        self._backend, self.pending = backend, []

    def remove(self, path):
        self.pending.append(('remove', path))

    def rmtree(self, path):
        self.pending.append(('rmtree', path))

    def __getattr__(self, name):
        return getattr(self._backend, name)


@HOOKS.register_module()
class SafeCheckpointHook(CheckpointHook):
    """mmengine's ``CheckpointHook`` (same arguments) in a safe order.

    mmengine 0.10.7 deletes the oldest checkpoint (``max_keep_ckpts``) and
    the previous ``best_*.pth`` *before* it writes the new one, and writes
    ``last_checkpoint`` in place: with ``max_keep_ckpts=1`` a kill during
    the save leaves no readable checkpoint. Here the new checkpoint is
    written first (atomically, :mod:`vltoolkit.compat.atomic_checkpoint`),
    then ``last_checkpoint`` is replaced atomically, and only then are the
    outdated checkpoints removed. ``build_runner`` uses it in place of
    ``CheckpointHook``.
    """

    @contextmanager
    def _deferred_removal(self):
        backend = self.file_backend
        self.file_backend = deferred = _DeferRemoval(backend)
        try:
            yield
        finally:
            self.file_backend = backend
        keep = {self.last_ckpt, getattr(self, 'best_ckpt_path', None)}
        keep |= set((getattr(self, 'best_ckpt_path_dict', None) or {}).values())
        for how, path in deferred.pending:
            if path in keep:
                continue  # the same name was written again: it is the new file
            getattr(backend, how)(path)

    def _save_checkpoint_with_step(self, runner, step, meta):
        with self._deferred_removal():
            self._save_and_point(runner, step, meta)

    def _save_and_point(self, runner, step, meta):
        # mmengine 0.10.7's body; removals are deferred, last_checkpoint atomic
        if self.max_keep_ckpts > 0:
            if not (len(self.keep_ckpt_ids) > 0 and self.keep_ckpt_ids[-1] == step):
                if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
                    _step = self.keep_ckpt_ids.popleft()
                    if is_main_process():
                        path = self.file_backend.join_path(
                            self.out_dir, self.filename_tmpl.format(_step)
                        )
                        if self.file_backend.isfile(path):
                            self.file_backend.remove(path)  # deferred
                        elif self.file_backend.isdir(path):
                            self.file_backend.rmtree(path)
                self.keep_ckpt_ids.append(step)
                runner.message_hub.update_info('keep_ckpt_ids', list(self.keep_ckpt_ids))
        ckpt_filename = self.filename_tmpl.format(step)
        self.last_ckpt = self.file_backend.join_path(self.out_dir, ckpt_filename)
        runner.message_hub.update_info('last_ckpt', self.last_ckpt)
        runner.save_checkpoint(
            self.out_dir,
            ckpt_filename,
            self.file_client_args,
            save_optimizer=self.save_optimizer,
            save_param_scheduler=self.save_param_scheduler,
            meta=meta,
            by_epoch=self.by_epoch,
            backend_args=self.backend_args,
            **self.args,
        )
        if is_main_process():
            write_text_atomic(osp.join(runner.work_dir, 'last_checkpoint'), self.last_ckpt)

    def _save_best_checkpoint(self, runner, metrics) -> None:
        with self._deferred_removal():
            super()._save_best_checkpoint(runner, metrics)
