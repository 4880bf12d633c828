"""An epoch loop that resumes mid-epoch where it stopped."""
from mmengine.runner import EpochBasedTrainLoop

from vltoolkit.registry import LOOPS


@LOOPS.register_module()
class ResumableEpochBasedTrainLoop(EpochBasedTrainLoop):
    """``EpochBasedTrainLoop`` that skips the batches already trained when
    resuming from a checkpoint saved in the middle of an epoch.

    mmengine 0.10.7's epoch loop restarts a resumed epoch from its first
    batch, so a run killed mid-epoch trains some batches twice and ends
    elsewhere than an uninterrupted run. Here the first
    ``iter - epoch * len(dataloader)`` batches of the resumed epoch are
    drawn and dropped: with a sampler seeded by ``seed + epoch`` (mmengine's
    ``DefaultSampler``) the remaining batches are exactly those the
    uninterrupted run would see. Skipped batches are still loaded (the
    sampler has no offset), which costs data time only.

    Use it with ``train_cfg = dict(type='ResumableEpochBasedTrainLoop',
    max_epochs=..., val_interval=...)``.
    """

    def run_epoch(self) -> None:
        self.runner.call_hook('before_train_epoch')
        self.runner.model.train()
        done = self._iter - self._epoch * len(self.dataloader)
        if done > 0:
            self.runner.logger.info(
                f'resuming epoch {self._epoch + 1} after its first {done} '
                'iterations: skipping those batches')
        for idx, data_batch in enumerate(self.dataloader):
            if idx < done:
                continue
            self.run_iter(idx, data_batch)
        self.runner.call_hook('after_train_epoch')
        self._epoch += 1
