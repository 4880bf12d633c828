"""A checkpoint of another model: refused by test / resume, reported (and
refused under half a match) by fine-tuning."""

import pytest
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.evaluator import BaseMetric
from mmengine.model import BaseModel

from vltoolkit.engine import build_runner
from vltoolkit.engine.hooks import CheckpointMismatchError
from vltoolkit.engine.hooks.checkpoint_match_hook import compare_state_dicts
from vltoolkit.engine.runner import unique_experiment_name
from vltoolkit.registry import METRICS, MODELS

from . import resume_toy  # noqa: F401  (registers _ResumeIndexSet)


@MODELS.register_module(name='_WidthModel', force=True)
class WidthModel(BaseModel):
    def __init__(self, width=4, head=0):
        super().__init__()
        self.a = nn.Linear(2, width)
        self.b = nn.Linear(width, 1)
        self.head = nn.Linear(head, head) if head else None

    def forward(self, inputs, data_samples=None, mode='tensor'):
        x = torch.tensor(inputs, dtype=torch.float32)[:, None].repeat(1, 2)
        out = self.b(self.a(x))
        if mode == 'loss':
            return dict(loss=out.pow(2).mean())
        return [dict(pred=float(v)) for v in out[:, 0]]


@METRICS.register_module(name='_CountMetric', force=True)
class CountMetric(BaseMetric):
    def process(self, data_batch, data_samples):
        self.results.extend(data_samples)

    def compute_metrics(self, results):
        return dict(n=len(results))


def _cfg(work_dir, model, **extra):
    loader = dict(
        dataset=dict(type='_ResumeIndexSet'),
        sampler=dict(type='DefaultSampler', shuffle=False),
        batch_size=4,
        num_workers=0,
        collate_fn=dict(type='pseudo_collate'),
    )
    cfg = Config(
        dict(
            model=model,
            work_dir=str(work_dir),
            default_scope='vltoolkit',
            train_dataloader=loader,
            test_dataloader=loader,
            train_cfg=dict(type='ResumableEpochBasedTrainLoop', max_epochs=1),
            test_cfg=dict(),
            test_evaluator=dict(type='_CountMetric'),
            optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01)),
            default_hooks=dict(logger=dict(type='LoggerHook', interval=1000)),
            log_level='WARNING',
            **extra,
        )
    )
    cfg.experiment_name = unique_experiment_name(cfg)
    return cfg


@pytest.fixture(scope='module')
def ckpt(tmp_path_factory):
    work = tmp_path_factory.mktemp('src')
    build_runner(_cfg(work, dict(type='_WidthModel', width=4))).train()
    return str(work / 'epoch_1.pth')


def test_compare_counts_parameter_elements():
    model = {'a': torch.zeros(4, 2), 'b': torch.zeros(1, 4), 'c': torch.zeros(10)}
    ckpt = {'a': torch.zeros(4, 2), 'b': torch.zeros(1, 5), 'x': torch.zeros(1)}
    report = compare_state_dicts(model, ckpt)
    assert report['missing'] == ['c'] and report['unexpected'] == ['x']
    assert report['mismatched'] == {'b': ((1, 5), (1, 4))}
    assert report['matched_fraction'] == pytest.approx(8 / 22)


def test_test_refuses_a_checkpoint_of_another_width(ckpt, tmp_path):
    runner = build_runner(_cfg(tmp_path, dict(type='_WidthModel', width=8), load_from=ckpt))
    with pytest.raises(
        CheckpointMismatchError, match=r'a\.weight: checkpoint \[4, 2\] vs model \[8, 2\]'
    ):
        runner.test()


def test_test_refuses_a_checkpoint_with_missing_keys(ckpt, tmp_path):
    runner = build_runner(_cfg(tmp_path, dict(type='_WidthModel', width=4, head=2), load_from=ckpt))
    with pytest.raises(CheckpointMismatchError, match=r'missing.*head\.bias, head\.weight'):
        runner.test()


def test_test_of_the_right_checkpoint_runs(ckpt, tmp_path):
    runner = build_runner(_cfg(tmp_path, dict(type='_WidthModel', width=4), load_from=ckpt))
    assert runner.test() == dict(n=12)


def test_fine_tune_refuses_under_half_a_match_unless_told(ckpt, tmp_path):
    # 8 + 4 + 4 + 1 = 17 matching elements of 17 + 30*30 + 30: well under half
    model = dict(type='_WidthModel', width=4, head=30)
    runner = build_runner(_cfg(tmp_path / 'a', model, load_from=ckpt))
    with pytest.raises(CheckpointMismatchError, match=r'only 1\.8%.*allow_partial_load=True'):
        runner.train()
    runner = build_runner(_cfg(tmp_path / 'b', model, load_from=ckpt, allow_partial_load=True))
    runner.train()
    log = (next((tmp_path / 'b').glob('*/*.log'))).read_text()
    assert 'missing from the checkpoint' in log and 'head.weight' in log
    runner = build_runner(_cfg(tmp_path / 'c', model, load_from=ckpt, load_from_min_match=0.01))
    runner.train()


def test_fine_tune_with_a_new_small_head_loads_and_reports(ckpt, tmp_path):
    runner = build_runner(_cfg(tmp_path, dict(type='_WidthModel', width=4, head=1), load_from=ckpt))
    runner.train()
    log = next(tmp_path.glob('*/*.log')).read_text()
    # (8 + 4 + 4 + 1) of (17 + 1 + 1) parameter elements
    assert "89.5% of the model's parameters loaded" in log
    assert 'head.bias, head.weight' in log


@MODELS.register_module(name='_LoraWidthModel', force=True)
class LoraWidthModel(WidthModel):
    """``_WidthModel`` with LoRA (r=1) on both layers, as peft wraps them:
    ``a.base_layer.weight``, ``a.lora_A.default.weight``, ..."""

    def __init__(self, width=4):
        super().__init__(width=width)
        from peft import LoraConfig, inject_adapter_in_model

        inject_adapter_in_model(LoraConfig(r=1, lora_alpha=1, target_modules=['a', 'b']), self)


def test_map_to_lora_base_layers_renames_only_what_the_model_wraps():
    from vltoolkit.engine.hooks.lora_checkpoint_keys import map_to_lora_base_layers

    state = {'module.a.weight': 1, 'module.a.bias': 2, 'module.c.weight': 3, 'module.b.weight': 4}
    model_keys = ['a.base_layer.weight', 'a.base_layer.bias', 'c.weight', 'b.base_layer.weight']
    model_keys.append('b.weight')  # the model has b.weight itself: left alone
    renamed = map_to_lora_base_layers(state, model_keys, [(r'^module\.', '')])
    assert renamed == {
        'module.a.weight': 'module.a.base_layer.weight',
        'module.a.bias': 'module.a.base_layer.bias',
    }
    assert set(state) == {
        'module.a.base_layer.weight',
        'module.a.base_layer.bias',
        'module.c.weight',
        'module.b.weight',
    }
    # a checkpoint that has the base layer already keeps its own
    both = {'a.weight': 1, 'a.base_layer.weight': 2}
    assert map_to_lora_base_layers(both, ['a.base_layer.weight']) == {}


def test_fine_tune_with_lora_loads_a_checkpoint_without_adapters(ckpt, tmp_path):
    """A first stage trained without adapters, then a LoRA stage from it
    (qwen2.5-vl-3b_loctokens_rows -> _loctokens_gem_distlabel_2stage): the
    checkpoint's layers fill the LoRA base layers. Without the mapping, 0% of
    the model loaded and the fine-tune was refused."""
    cfg = _cfg(tmp_path, dict(type='_LoraWidthModel', width=4), load_from=ckpt)
    cfg.optim_wrapper.optimizer.lr = 0.0  # the weights stay as loaded
    cfg.log_level = 'INFO'
    runner = build_runner(cfg)
    runner.train()
    source = torch.load(ckpt, map_location='cpu', weights_only=False)['state_dict']
    model = runner.model
    for layer in ('a', 'b'):
        for leaf in ('weight', 'bias'):
            got = getattr(getattr(model, layer).base_layer, leaf)
            assert torch.equal(got, source[f'{layer}.{leaf}']), (layer, leaf)
    log = next(tmp_path.glob('*/*.log')).read_text()
    assert '4 weights of layers the model wraps with LoRA load into their base_layer' in log
    # (8 + 4 + 4 + 1) of (17 + the adapters' 2 + 4 + 4 + 1) elements
    assert "60.7% of the model's parameters loaded" in log
