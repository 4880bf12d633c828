"""LogitScaleClampHook: clamps InfoNCE's scale after the optimizer step
(open_clip), in a real Runner; the recipes keep the scale out of weight decay."""

import math
import types

import pytest
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.model import BaseModel
from mmengine.optim import build_optim_wrapper
from mmengine.runner import Runner

from tests.conftest import ROOT
from vltoolkit.engine.hooks import LogitScaleClampHook
from vltoolkit.losses import InfoNCELoss
from vltoolkit.registry import HOOKS


class _PairModel(BaseModel):
    """Fixed, matching image / text features -> InfoNCE (``align_loss``): a
    larger scale lowers the loss (d loss / d log_scale = -0.16 at s = 91)."""

    def __init__(self, temperature=0.011):
        super().__init__()
        self.align_loss = InfoNCELoss(temperature=temperature)
        self.steps = []  # log_scale seen by each forward pass

    def forward(self, inputs, data_samples=None, mode='loss'):
        self.steps.append(self.align_loss.log_scale.item())
        feats = torch.eye(4) + 2.0
        return dict(loss_align=self.align_loss(feats, feats))


def test_hook_is_registered():
    assert isinstance(HOOKS.build(dict(type='LogitScaleClampHook')), LogitScaleClampHook)


def test_hook_clamps_after_the_step_in_a_runner(tmp_path):
    # SGD with a large lr pushes log_scale far above log(100) in one step
    # (next test); the hook pulls it back after every step
    model = _PairModel()
    data = [dict(inputs=torch.zeros(1))] * 3
    runner = Runner(
        model=model,
        work_dir=str(tmp_path),
        train_dataloader=dict(
            dataset=data,
            sampler=dict(type='DefaultSampler', shuffle=False),
            batch_size=1,
            collate_fn=dict(type='default_collate'),
        ),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=50.0)),
        train_cfg=dict(by_epoch=True, max_epochs=1),
        custom_hooks=[dict(type='LogitScaleClampHook')],
        default_hooks=dict(checkpoint=None, logger=None),
        log_level='WARNING',
        default_scope='vltoolkit',
    )
    runner.train()
    cap = math.log(100.0)
    assert model.steps[0] == pytest.approx(math.log(1 / 0.011))
    # every later forward pass starts from the clamped value
    assert model.steps[1:] == pytest.approx([cap, cap])
    assert model.align_loss.log_scale.item() == pytest.approx(cap)


def test_without_the_hook_the_scale_leaves_the_bound():
    """The test above is not vacuous: the step does cross the bound."""
    model = _PairModel()
    opt = torch.optim.SGD(model.parameters(), lr=50.0)
    model(None)['loss_align'].backward()
    opt.step()
    assert model.align_loss.log_scale.item() > math.log(100.0) + 0.1
    hook = LogitScaleClampHook()
    hook.after_train_iter(types.SimpleNamespace(model=model), 0)
    assert model.align_loss.log_scale.item() == pytest.approx(math.log(100.0))


@pytest.mark.parametrize('name', ['clip_vilt_infonce.py', 'clip_vilt_infonce_toy.py'])
def test_recipes_clamp_and_keep_the_scale_out_of_weight_decay(name):
    cfg = Config.fromfile(str(ROOT / 'configs' / 'vqa' / name))
    assert dict(type='LogitScaleClampHook') in cfg.custom_hooks
    # a stand-in with the model's attribute names: `align_loss` and a layer
    model = nn.Module()
    model.align_loss = InfoNCELoss()
    model.vilt = nn.Linear(3, 3)
    from mmengine.registry import init_default_scope

    import vltoolkit.engine  # noqa: F401  (the constructor)

    init_default_scope('vltoolkit')
    wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    decay = {id(p): g['weight_decay'] for g in wrapper.optimizer.param_groups for p in g['params']}
    assert decay[id(model.align_loss.log_scale)] == 0.0
    assert decay[id(model.vilt.weight)] == cfg.optim_wrapper.optimizer.weight_decay > 0
