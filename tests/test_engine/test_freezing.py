"""Frozen parameters stay put and the optimizer holds only trainable ones."""

import torch

from tests.conftest import tiny_model_cfg
from vltoolkit.datasets import vl_collate
from vltoolkit.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS
from vltoolkit.structures import VLDataSample
from vltoolkit.tokenization import build_tokenizer


def _batch(tokenizer_cfg):
    tok = build_tokenizer(tokenizer_cfg)
    items = [
        dict(
            inputs=dict(
                image=torch.full((3, 32, 32), 7 * i, dtype=torch.uint8),
                input_ids=torch.tensor(tok.encode('person and cup ?')),
                labels=torch.tensor(tok.encode(t)),
            ),
            data_samples=VLDataSample(),
        )
        for i, t in enumerate(['hold', 'look , kick'])
    ]
    return vl_collate(items)


def _build(model, paramwise=None):
    cfg = dict(
        optim_wrapper_cfg=dict(
            type='OptimWrapper', optimizer=dict(type='AdamW', lr=1e-2, weight_decay=0.01)
        )
    )
    if paramwise:
        cfg['paramwise_cfg'] = paramwise
    constructor = OPTIM_WRAPPER_CONSTRUCTORS.build(
        dict(type='TrainableParamsOptimWrapperConstructor', **cfg)
    )
    return constructor(model)


def test_frozen_parameters_unchanged_and_not_in_the_optimizer(tiny_tokenizer_cfg):
    model = MODELS.build(
        tiny_model_cfg(
            tiny_tokenizer_cfg, frozen_modules=['vision_encoder', 'language_model.model.encoder']
        )
    )
    frozen = {n: p.detach().clone() for n, p in model.named_parameters() if not p.requires_grad}
    trainable = {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}
    assert frozen and trainable
    for paramwise in (None, dict(norm_decay_mult=0.0)):
        wrapper = _build(model, paramwise)
        held = {id(p) for g in wrapper.optimizer.param_groups for p in g['params']}
        assert held == {id(p) for p in model.parameters() if p.requires_grad}
    data = model.data_preprocessor(_batch(tiny_tokenizer_cfg), True)
    for _ in range(3):
        wrapper.update_params(model(**data, mode='loss')['loss_token'])
    for name, p in model.named_parameters():
        if name in frozen:
            assert torch.equal(p, frozen[name]), name
    changed = [
        n
        for n, p in model.named_parameters()
        if n in trainable and not torch.equal(p, trainable[n])
    ]
    assert 'visual_proj.0.weight' in changed


def test_count_params_tool_reports_frozen_modules(tiny_tokenizer_cfg, tmp_path, capsys):
    from tests.conftest import load_tool

    count_params = load_tool('analysis/count_params.py')
    cfg = tmp_path / 'cfg.py'
    model = tiny_model_cfg(tiny_tokenizer_cfg, frozen_modules=['vision_encoder'])
    cfg.write_text(f"default_scope = 'vltoolkit'\nmodel = {model!r}\n")
    rows = {name: (total, trainable) for name, total, trainable in count_params.main([str(cfg)])}
    assert rows['vision_encoder'][1] == 0 and rows['vision_encoder'][0] > 0
    assert rows['total'][1] == rows['total'][0] - rows['vision_encoder'][0]
    assert 'trainable' in capsys.readouterr().out
