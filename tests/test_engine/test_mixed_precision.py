"""bf16 / fp16 choice, bf16 training and the torch.compile switch on the CPU."""

import copy

import pytest
import torch
from mmengine.runner import Runner

from tests.test_models.conftest import tiny_model_cfg
from tests.test_models.test_vision_seq2seq import _batch
from vltoolkit.engine.optim import amp_optim_wrapper_cfg, best_amp_dtype
from vltoolkit.registry import MODELS, OPTIM_WRAPPERS

ADAMW = dict(type='AdamW', lr=1e-3)


def test_amp_picks_bf16_where_supported_and_fp16_with_loss_scaling_elsewhere(monkeypatch):
    plain = dict(type='OptimWrapper', optimizer=ADAMW)
    assert amp_optim_wrapper_cfg(plain, device='cpu') == dict(
        type='AutocastOptimWrapper', optimizer=ADAMW, dtype='bfloat16'
    )
    monkeypatch.setattr(torch.cuda, 'is_bf16_supported', lambda *a, **k: True)
    assert best_amp_dtype('cuda') == 'bfloat16'
    assert amp_optim_wrapper_cfg(plain, device='cuda') == dict(
        type='AmpOptimWrapper', optimizer=ADAMW, dtype='bfloat16'
    )
    monkeypatch.setattr(torch.cuda, 'is_bf16_supported', lambda *a, **k: False)
    assert amp_optim_wrapper_cfg(plain, device='cuda') == dict(
        type='AmpOptimWrapper', optimizer=ADAMW, dtype='float16', loss_scale='dynamic'
    )
    exact = dict(type='ExactAccumulationOptimWrapper', optimizer=ADAMW)
    assert (
        amp_optim_wrapper_cfg(exact, device='cpu')['type']
        == 'ExactAccumulationAutocastOptimWrapper'
    )
    # a dtype in the config wins; unknown wrappers are left alone
    assert amp_optim_wrapper_cfg(dict(plain, dtype='float16'), device='cpu')['dtype'] == 'float16'
    custom = dict(type='MyWrapper', optimizer=ADAMW)
    assert amp_optim_wrapper_cfg(custom, device='cpu') == custom


def _train_losses(tokenizer_cfg, wrapper_type, steps=5, **wrapper_kw):
    torch.manual_seed(0)
    model = MODELS.build(tiny_model_cfg(tokenizer_cfg))
    wrapper = OPTIM_WRAPPERS.build(
        dict(
            type=wrapper_type,
            optimizer=torch.optim.AdamW(model.parameters(), lr=1e-3),
            **wrapper_kw,
        )
    )
    batch = _batch(tokenizer_cfg)
    return torch.tensor(
        [model.train_step(batch, wrapper)['loss'].item() for _ in range(steps)]
    ), model


def test_bf16_training_matches_fp32_to_bf16_tolerance(tiny_tokenizer_cfg):
    fp32, _ = _train_losses(tiny_tokenizer_cfg, 'OptimWrapper')
    bf16, model = _train_losses(
        tiny_tokenizer_cfg, 'AutocastOptimWrapper', dtype='bfloat16', device_type='cpu'
    )
    # bf16 keeps 8 mantissa bits: ~0.4% per rounding; a few % over a step
    torch.testing.assert_close(bf16, fp32, rtol=3e-2, atol=0)
    assert not torch.equal(bf16, fp32)  # it did run in bf16
    assert bf16[-1] < bf16[0]
    assert all(p.dtype == torch.float32 for p in model.parameters())


@pytest.mark.slow
def test_compile_switch_reaches_the_model_and_keeps_the_loss(tiny_tokenizer_cfg, tmp_path):
    """``compile=`` in a config is mmengine's: the Runner wraps
    ``model.train_step`` in ``torch.compile``. ``aot_eager`` traces with
    dynamo and AOTAutograd like inductor but skips code generation
    (inductor takes ~5 min for this model on 2 CPU cores)."""
    losses = {}
    for compile_cfg in (None, dict(backend='aot_eager')):
        runner = Runner(
            model=tiny_model_cfg(tiny_tokenizer_cfg),
            work_dir=str(tmp_path / str(bool(compile_cfg))),
            experiment_name=f'compile_{bool(compile_cfg)}_{id(tmp_path)}',
            default_scope='vltoolkit',
            randomness=dict(seed=0),
            cfg=dict(compile=copy.deepcopy(compile_cfg)),
        )
        wrapper = runner.build_optim_wrapper(dict(type='OptimWrapper', optimizer=ADAMW))
        runner._maybe_compile('train_step')  # what Runner.train() calls
        # mmengine sets the compiled function on the model instance
        compiled = runner.model.__dict__.get('train_step') is not None
        assert compiled == (compile_cfg is not None)
        losses[bool(compile_cfg)] = [
            runner.model.train_step(_batch(tiny_tokenizer_cfg), wrapper)['loss'].item()
            for _ in range(2)
        ]
    assert losses[True] == pytest.approx(losses[False], rel=1e-5)
