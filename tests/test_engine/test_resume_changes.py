"""A resume that changes the data, the order or the optimisation refuses,
naming the key, or applies the change and says so (issue 22, part 5)."""

import pytest
import torch

from vltoolkit.compat import safe_torch_load
from vltoolkit.engine.hooks import ResumeChangeError

from .reliability_toy import build

MID_EPOCH = dict(checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=2))
STEP = [dict(type='MultiStepLR', milestones=[1], gamma=0.1, by_epoch=True)]


def _first_run(work_dir, **kwargs):
    build(work_dir, **kwargs).train()


def test_changed_lr_is_refused_naming_the_key(tmp_path):
    _first_run(tmp_path, max_epochs=1)
    runner = build(tmp_path, max_epochs=2, lr=0.1, resume=True)
    with pytest.raises(ResumeChangeError, match=r'optim_wrapper\.optimizer\.lr: 0\.01 -> 0\.1'):
        runner.train()


def test_changed_lr_applied_on_request_keeps_the_schedule_position(tmp_path):
    _first_run(tmp_path, max_epochs=2, param_scheduler=STEP)  # lr 0.01 -> 0.001 after epoch 1
    runner = build(
        tmp_path,
        max_epochs=2,
        lr=0.1,
        resume=True,
        load_from=str(tmp_path / 'epoch_1.pth'),
        resume_changes='apply',
        param_scheduler=STEP,
    )
    runner.train()
    # the new base lr 0.1 at the schedule's position (x 0.1 after the milestone)
    assert runner.optim_wrapper.param_groups[0]['lr'] == pytest.approx(0.01)
    assert runner.param_schedulers[0].base_values == [pytest.approx(0.1)]


def test_another_data_set_mid_epoch_is_refused(tmp_path):
    _first_run(tmp_path, max_epochs=1, default_hooks=MID_EPOCH)
    ckpt = str(tmp_path / 'iter_2.pth')
    for dataset, key in ((dict(n=10), 'length: 8 -> 10'), (dict(offset=100), 'fingerprint')):
        runner = build(
            tmp_path,
            max_epochs=1,
            resume=True,
            load_from=ckpt,
            dataset=dataset,
            default_hooks=MID_EPOCH,
        )
        with pytest.raises(ResumeChangeError, match=rf'train_dataloader\.dataset\.{key}'):
            runner.train()


def test_another_data_set_applied_restarts_the_epoch(tmp_path):
    _first_run(tmp_path / 'a', max_epochs=1, default_hooks=MID_EPOCH)
    runner = build(
        tmp_path / 'b',
        max_epochs=1,
        resume=True,
        load_from=str(tmp_path / 'a' / 'iter_2.pth'),
        dataset=dict(offset=100),
        resume_changes='apply',
        default_hooks=MID_EPOCH,
    )
    runner.train()
    assert runner.iter == 2 + 4  # the whole epoch again, none of it skipped


def test_seed_none_resumes_with_the_recorded_order(tmp_path):
    _first_run(tmp_path, max_epochs=1, seed=None, default_hooks=MID_EPOCH)
    ckpt = tmp_path / 'iter_2.pth'
    recorded = safe_torch_load(str(ckpt))['meta']['vltoolkit_resume_record']['randomness.seed']
    runner = build(
        tmp_path,
        max_epochs=1,
        seed=None,
        resume=True,
        load_from=str(ckpt),
        default_hooks=MID_EPOCH,
    )
    runner.train()
    assert runner.train_dataloader.sampler.seed == recorded
    assert runner.iter == 4  # the two batches left, in the recorded order


def test_changed_seed_is_refused(tmp_path):
    _first_run(tmp_path, max_epochs=1, default_hooks=MID_EPOCH)
    runner = build(
        tmp_path,
        max_epochs=1,
        seed=6,
        resume=True,
        load_from=str(tmp_path / 'iter_2.pth'),
        default_hooks=MID_EPOCH,
    )
    with pytest.raises(ResumeChangeError, match=r'randomness\.seed: 5 -> 6'):
        runner.train()
    assert torch.is_tensor(runner.model.w)


def test_fingerprint_ignores_where_the_data_lives_not_what_it_is():
    from mmengine.dataset import BaseDataset

    from vltoolkit.engine.hooks.resume_guard_hook import dataset_fingerprint

    class Records(BaseDataset):
        def __init__(self, names, **kwargs):
            self.names = names
            super().__init__(pipeline=[], **kwargs)

        def load_data_list(self):
            return [dict(img_path=f'{self.data_root}/{n}.jpg', width=4) for n in self.names]

    one = dataset_fingerprint(Records(['a', 'b'], data_root='/data/coco'))
    assert dataset_fingerprint(Records(['a', 'b'], data_root='/mnt/disk2/coco')) == one
    assert dataset_fingerprint(Records(['b', 'a'], data_root='/data/coco')) != one


WARMUP = [dict(type='LinearLR', start_factor=0.5, by_epoch=False, begin=0, end=2)]


@pytest.mark.parametrize(
    'before, after', [(STEP, WARMUP + STEP), (WARMUP + STEP, STEP)], ids=['added', 'removed']
)
def test_changed_number_of_schedulers(tmp_path, before, after):
    """mmengine pairs the checkpoint's scheduler states with the config's
    schedulers by position (``zip``): with one scheduler more or less, a
    LinearLR took a MultiStepLR's state and the MultiStepLR restarted at step
    0 (the run with the warm-up removed ended at lr 0.01, not 0.001). Refused
    naming the count; with ``apply``, the new schedules are replayed up to the
    checkpoint's position, so the run ends exactly as one trained with them
    from the start."""
    _first_run(tmp_path / 'a', max_epochs=1, param_scheduler=before)
    ckpt = str(tmp_path / 'a' / 'epoch_1.pth')
    refused = build(
        tmp_path / 'b', max_epochs=2, resume=True, load_from=ckpt, param_scheduler=after
    )
    counts = f'{len(before)} -> {len(after)} schedulers'
    with pytest.raises(ResumeChangeError, match=rf'param_scheduler: {counts}; '):
        refused.train()
    runner = build(
        tmp_path / 'c',
        max_epochs=2,
        resume=True,
        load_from=ckpt,
        resume_changes='apply',
        param_scheduler=after,
    )
    runner.train()
    fresh = build(tmp_path / 'd', max_epochs=2, param_scheduler=after)
    fresh.train()
    assert [type(s).__name__ for s in runner.param_schedulers] == [
        type(s).__name__ for s in fresh.param_schedulers
    ]
    for resumed, uninterrupted in zip(runner.param_schedulers, fresh.param_schedulers):
        assert resumed.state_dict() == uninterrupted.state_dict()
    assert runner.optim_wrapper.param_groups[0]['lr'] == pytest.approx(0.001)
    assert runner.optim_wrapper.param_groups[0]['lr'] == pytest.approx(
        fresh.optim_wrapper.param_groups[0]['lr']
    )


def test_a_schedule_that_cannot_be_replayed_is_refused_with_apply(tmp_path):
    _first_run(tmp_path, max_epochs=1, param_scheduler=STEP)
    plateau = [dict(type='ReduceOnPlateauLR', monitor='loss', rule='less', by_epoch=True)]
    runner = build(
        tmp_path,
        max_epochs=2,
        resume=True,
        resume_changes='apply',
        param_scheduler=plateau,
    )
    with pytest.raises(
        ResumeChangeError,
        match=r'param_scheduler\[0\] ReduceOnPlateauLR follows the validation metric.*'
        r"Resume with the checkpoint's optim_wrapper and param_scheduler",
    ):
        runner.train()
