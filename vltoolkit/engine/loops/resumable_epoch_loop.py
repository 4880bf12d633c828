"""An epoch loop that resumes mid-epoch where it stopped."""

from mmengine.runner import EpochBasedTrainLoop

from vltoolkit.registry import LOOPS

from .resume_skip import record_progress, resumed_batches


@LOOPS.register_module()
class ResumableEpochBasedTrainLoop(EpochBasedTrainLoop):
    """``EpochBasedTrainLoop`` that, resumed from a checkpoint saved in the
    middle of an epoch, trains only what that epoch had left.

    mmengine 0.10.7's epoch loop restarts a resumed epoch from its first
    batch, so a run killed mid-epoch trains some batches twice and ends
    elsewhere than an uninterrupted run. This loop records in every
    checkpoint the samples the epoch has consumed (and the batch size and
    world size that consumed them); on resume it skips those samples, also
    when the batch size or number of ranks changed (with mmengine's
    ``DefaultSampler``), or stops with a message saying what changed when
    that cannot be done exactly (see :mod:`.resume_skip`). With a sampler
    seeded by ``seed + epoch`` the remaining batches are exactly those the
    uninterrupted run would see.

    Use it with ``train_cfg = dict(type='ResumableEpochBasedTrainLoop',
    max_epochs=..., val_interval=...)``.
    """

    def run_epoch(self) -> None:
        self.runner.call_hook('before_train_epoch')
        self.runner.model.train()
        for idx, data_batch in resumed_batches(self):
            self.run_iter(idx, data_batch)
        self.runner.call_hook('after_train_epoch')
        self._epoch += 1

    def run_iter(self, idx, data_batch) -> None:
        """mmengine's iteration, with the epoch's progress recorded before
        the ``after_train_iter`` hooks (where checkpoints are saved)."""
        self.runner.call_hook('before_train_iter', batch_idx=idx, data_batch=data_batch)
        outputs = self.runner.model.train_step(data_batch, optim_wrapper=self.runner.optim_wrapper)
        record_progress(self)
        self.runner.call_hook(
            'after_train_iter', batch_idx=idx, data_batch=data_batch, outputs=outputs
        )
        self._iter += 1
