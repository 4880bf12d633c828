"""ModalityScheduleHook: switches at the right step, and the same after resume."""

import copy
import types

import pytest
import torch
from mmengine.config import Config
from mmengine.logging import MessageHub, MMLogger

from tests.conftest import ROOT
from tests.mcn_helpers import make_tiny_toy, tiny_mcn_cfg, train_dataset_cfg
from vltoolkit.engine.hooks import ModalityScheduleHook
from vltoolkit.registry import MODELS

AV, ALL = ['audio', 'video'], ['video', 'audio', 'text']


class _Spy:
    """Records what the hook asks of the model."""

    def __init__(self, model):
        self.model, self.calls = model, []
        orig = model.set_stage

        def set_stage(**kw):
            self.calls.append((tuple(kw['modalities']), kw['reset_clusters']))
            orig(**kw)

        model.set_stage = set_stage


def _runner(model):
    return types.SimpleNamespace(
        model=model,
        epoch=0,
        iter=0,
        logger=MMLogger.get_instance('hook_test'),
        message_hub=MessageHub.get_instance('hook_test'),
    )


def _drive(hook, runner, epochs, iters_per_epoch, start_iter=0):
    """Call the hook as the (resumable) epoch loop does; returns, per
    iteration, the model's active modalities."""
    seen = {}
    for it in range(start_iter, epochs * iters_per_epoch):
        runner.epoch, runner.iter = divmod(it, iters_per_epoch)[0], it
        hook.before_train_iter(runner, it % iters_per_epoch)
        seen[it] = runner.model.active_modalities
    return seen


def test_by_epoch_switches_at_the_first_iteration_of_the_stage_and_after_resume():
    hook = ModalityScheduleHook(
        stages=[dict(begin=0, modalities=AV), dict(begin=2, modalities=ALL)]
    )
    model = MODELS.build(tiny_mcn_cfg())
    spy = _Spy(model)
    runner = _runner(model)
    hook.before_train(runner)
    seen = _drive(hook, runner, epochs=4, iters_per_epoch=3)
    assert [len(seen[i]) for i in range(12)] == [2] * 6 + [3] * 6
    assert spy.calls == [(tuple(AV), False), (tuple(ALL), True)]  # reset at epoch 2
    assert runner.message_hub.get_info('modality_stage') == 1

    # resumed in the middle of epoch 2: already in stage 2, clusters kept
    hook2 = ModalityScheduleHook(stages=copy.deepcopy(hook.stages))
    model2 = MODELS.build(tiny_mcn_cfg())
    spy2 = _Spy(model2)
    runner2 = _runner(model2)
    hook2.before_train(runner2)
    seen2 = _drive(hook2, runner2, epochs=4, iters_per_epoch=3, start_iter=7)
    assert all(seen2[i] == seen[i] for i in seen2)
    assert spy2.calls == [(tuple(ALL), False)]


def test_by_iter_switch_and_resume_exactly_at_the_boundary():
    stages = [dict(begin=0, modalities=['video', 'text']), dict(begin=5, modalities=ALL)]
    hook = ModalityScheduleHook(stages=stages, by_epoch=False)
    model = MODELS.build(tiny_mcn_cfg())
    spy = _Spy(model)
    seen = _drive(hook, _runner(model), epochs=1, iters_per_epoch=8)
    assert [len(seen[i]) for i in range(8)] == [2] * 5 + [3] * 3
    assert spy.calls == [(('video', 'text'), False), (tuple(ALL), True)]
    for start, reset in ((5, True), (6, False)):
        hook2 = ModalityScheduleHook(stages=stages, by_epoch=False)
        spy2 = _Spy(MODELS.build(tiny_mcn_cfg()))
        _drive(hook2, _runner(spy2.model), epochs=1, iters_per_epoch=8, start_iter=start)
        assert spy2.calls == [(tuple(ALL), reset)]


def test_bad_stages_fail_before_training():
    with pytest.raises(ValueError, match='first stage must begin at 0'):
        ModalityScheduleHook(stages=[dict(begin=1, modalities=AV)])
    with pytest.raises(ValueError, match='begins at 2, not after'):
        ModalityScheduleHook(
            stages=[
                dict(begin=0, modalities=AV),
                dict(begin=2, modalities=ALL),
                dict(begin=2, modalities=AV),
            ]
        )
    with pytest.raises(ValueError, match='needs modalities'):
        ModalityScheduleHook(stages=[dict(begin=0, modalities='audio')])
    with pytest.raises(ValueError, match='unknown keys'):
        ModalityScheduleHook(stages=[dict(begin=0, modalities=AV, loss=['x'])])
    hook = ModalityScheduleHook(
        stages=[dict(begin=0, modalities=AV), dict(begin=3, modalities=['audio', 'speech'])]
    )
    with pytest.raises(ValueError, match=r"stage 1 \(AS\).*unknown modalities \['speech'\]"):
        hook.before_train(_runner(MODELS.build(tiny_mcn_cfg())))


def _toy_cfg(root, work_dir):
    cfg = Config.fromfile(str(ROOT / 'configs' / 'retrieval' / 'mcn_av_t_toy.py'))
    cfg.model = tiny_mcn_cfg()
    cfg.work_dir = str(work_dir)
    cfg.train_dataloader.batch_size = 4
    cfg.train_dataloader.dataset = train_dataset_cfg(root)
    # no validation: this test compares weights
    cfg.val_dataloader = cfg.val_evaluator = cfg.val_cfg = None
    cfg.test_dataloader = cfg.test_evaluator = cfg.test_cfg = None
    cfg.train_cfg.max_epochs, cfg.train_cfg.val_interval = 3, 3
    cfg.param_scheduler[0].end = 2
    cfg.custom_hooks = [
        dict(
            type='ModalityScheduleHook',
            by_epoch=False,
            stages=[dict(begin=0, modalities=AV), dict(begin=5, modalities=ALL)],
        )
    ]
    cfg.default_hooks.checkpoint = dict(
        type='CheckpointHook', by_epoch=False, interval=6, max_keep_ckpts=-1
    )
    cfg.default_hooks.logger.interval = 1
    cfg.log_level = 'WARNING'
    return cfg


@pytest.mark.slow
def test_runner_resume_mid_stage_matches_uninterrupted_run(tmp_path):
    """Real Runner: a run resumed from the checkpoint of iteration 6 (stage 2,
    mid-epoch) ends with exactly the weights and k-means buffers of the run
    that never stopped."""
    from vltoolkit.compat import safe_torch_load
    from vltoolkit.engine import build_runner

    root = make_tiny_toy(tmp_path / 'toy')
    full = build_runner(_toy_cfg(root, tmp_path / 'full'))
    full.train()
    assert full.message_hub.get_info('modality_stage') == 1
    # 16 clips / 4 = 4 iterations per epoch, 12 in all; resume at iter 6
    resumed_cfg = _toy_cfg(root, tmp_path / 'resumed')
    resumed_cfg.resume, resumed_cfg.load_from = True, str(tmp_path / 'full' / 'iter_6.pth')
    resumed = build_runner(resumed_cfg)
    resumed.train()
    a = safe_torch_load(str(tmp_path / 'full' / 'iter_12.pth'))['state_dict']
    b = safe_torch_load(str(tmp_path / 'resumed' / 'iter_12.pth'))['state_dict']
    assert a.keys() == b.keys() and 'kmeans.centroids' in a
    for key in a:
        assert torch.allclose(a[key].float(), b[key].float(), atol=1e-6), key
    assert int(a['kmeans.num_steps']) == 12 - 5  # reset when text joined at iter 5
