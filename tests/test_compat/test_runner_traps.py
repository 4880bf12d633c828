"""The known traps of mmengine 0.10.7 on this stack, each pinned by a test."""

import copy

import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.model import BaseModel
from mmengine.runner import Runner

from vltoolkit.compat.cpu_distributed import cpu_ddp_wrapper_cfg
from vltoolkit.compat.experiment_name import unique_experiment_name
from vltoolkit.engine import build_runner
from vltoolkit.registry import MODELS


@MODELS.register_module()
class _TinyTrapModel(BaseModel):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(2, 1)

    def forward(self, inputs=None, data_samples=None, mode='tensor'):
        out = self.linear(torch.stack(inputs) if isinstance(inputs, list) else inputs)
        return dict(loss=out.pow(2).mean()) if mode == 'loss' else out


def _cfg(work_dir):
    return Config(
        dict(
            model=dict(type='_TinyTrapModel'),
            work_dir=str(work_dir),
            default_scope='vltoolkit',
            env_cfg=dict(dist_cfg=dict(backend='gloo')),
            log_level='WARNING',
        )
    )


def test_two_runners_in_the_same_second_get_their_own_logger_and_scope(tmp_path):
    cfg = _cfg(tmp_path / 'a')
    first = build_runner(copy.deepcopy(cfg))
    second = build_runner(
        Config(
            dict(
                _cfg(tmp_path / 'b'),
                default_scope='mmengine',
                model=dict(type='vltoolkit._TinyTrapModel'),
            )
        )
    )
    assert first.experiment_name != second.experiment_name
    assert first.logger is not second.logger
    assert first.default_scope.scope_name == 'vltoolkit'
    assert second.default_scope.scope_name == 'mmengine'


def test_plain_mmengine_runners_share_them_which_is_the_trap(tmp_path):
    a = Runner(
        model=_TinyTrapModel(),
        work_dir=str(tmp_path / 'a'),
        experiment_name='same',
        default_scope='vltoolkit',
    )
    b = Runner(
        model=_TinyTrapModel(),
        work_dir=str(tmp_path / 'b'),
        experiment_name='same',
        default_scope='mmengine',
    )
    assert a.logger is b.logger  # what unique names avoid


def test_unique_experiment_name_is_named_after_the_config(tmp_path):
    (tmp_path / 'ce_onehot_toy.py').write_text('a = 1\n')
    cfg = Config.fromfile(str(tmp_path / 'ce_onehot_toy.py'))
    names = {unique_experiment_name(cfg) for _ in range(3)}
    assert all(n.startswith('ce_onehot_toy_') for n in names)


def test_cpu_ddp_wrapper_gets_device_ids_none(monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    cfg = Config(dict())
    cpu_ddp_wrapper_cfg(cfg)
    assert cfg.model_wrapper_cfg == dict(type='MMDistributedDataParallel', device_ids=None)
    cfg = Config(
        dict(model_wrapper_cfg=dict(type='MMDistributedDataParallel', find_unused_parameters=True))
    )
    cpu_ddp_wrapper_cfg(cfg)
    assert cfg.model_wrapper_cfg['device_ids'] is None
    assert cfg.model_wrapper_cfg['find_unused_parameters'] is True


def test_autocast_optim_wrapper_runs_bf16_on_cpu():
    from vltoolkit.registry import OPTIM_WRAPPERS

    model = nn.Linear(4, 4)
    wrapper = OPTIM_WRAPPERS.build(
        dict(
            type='AutocastOptimWrapper',
            dtype='bfloat16',
            device_type='cpu',
            optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
        )
    )
    with wrapper.optim_context(model):
        out = model(torch.randn(2, 4))
    assert out.dtype == torch.bfloat16
    before = model.weight.detach().clone()
    wrapper.update_params(out.float().pow(2).mean())
    assert model.weight.dtype == torch.float32 and not torch.equal(before, model.weight)
