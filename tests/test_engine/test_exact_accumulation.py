"""Accumulating task batches gives the update of one big batch."""

import copy

import pytest
import torch

from tests.test_models.conftest import tiny_model_cfg
from vltoolkit.datasets import vl_collate
from vltoolkit.registry import MODELS, OPTIM_WRAPPERS
from vltoolkit.structures import VLDataSample
from vltoolkit.tokenization import build_tokenizer

SHORT = [
    ('what is the interaction between person<loc_1><loc_6> and donut ?', 'hold'),
    ('what is the interaction between person<loc_0><loc_5> and cup ?', 'look'),
]
LONG = [
    (
        'what is the interaction between person<loc_4><loc_15> and nothing ?',
        'hold , eat , drink with , kick , look',
    ),
    ('what is the interaction between person<loc_2><loc_7> and cup ?', 'drink with , hold , eat'),
    ('what is the interaction between person<loc_3><loc_9> and donut ?', 'eat , hold'),
]


def _items(tokenizer_cfg, pairs, seed):
    tok = build_tokenizer(tokenizer_cfg)
    g = torch.Generator().manual_seed(seed)
    return [
        dict(
            inputs=dict(
                image=torch.randint(0, 255, (3, 32, 32), generator=g, dtype=torch.uint8),
                input_ids=torch.tensor(tok.encode(p)),
                labels=torch.tensor(tok.encode(t)),
            ),
            data_samples=VLDataSample(prompt=p, target_text=t),
        )
        for p, t in pairs
    ]


def _grads(model):
    return {n: p.grad.detach().clone() for n, p in model.named_parameters() if p.grad is not None}


@pytest.mark.parametrize('normalization', ['token', 'sample'])
def test_accumulated_task_batches_equal_one_big_batch(tiny_tokenizer_cfg, normalization):
    torch.manual_seed(0)
    model = MODELS.build(
        tiny_model_cfg(tiny_tokenizer_cfg, loss_normalization=normalization)
    ).double()
    short, long = _items(tiny_tokenizer_cfg, SHORT, 0), _items(tiny_tokenizer_cfg, LONG, 1)

    def prep(items):
        data = model.data_preprocessor(vl_collate(items), training=True)
        data['inputs']['images'] = data['inputs']['images'].double()
        return data

    big = prep(short + long)
    model.zero_grad()
    model(**big, mode='loss')['loss_token'].backward()
    expected = _grads(model)

    acc = copy.deepcopy(model)
    wrapper = OPTIM_WRAPPERS.build(
        dict(
            type='ExactAccumulationOptimWrapper',
            optimizer=torch.optim.SGD(acc.parameters(), lr=0.5),
        )
    )
    batches = [prep(short), prep(long)]
    total = sum(acc.loss_units(b['inputs']) for b in batches)
    wrapper.begin_update(len(batches))
    acc.zero_grad()
    before = {n: p.detach().clone() for n, p in acc.named_parameters()}
    for i, data in enumerate(batches):
        data['inputs']['avg_factor'] = total
        assert wrapper.should_sync() == (i == 1)  # DDP all-reduce only on the last
        loss = acc(**data, mode='loss')['loss_token']
        if i == 0:  # check the accumulated gradient just before the step
            wrapper.update_params(loss)
            assert not wrapper.should_update()
        else:
            wrapper.scale_loss(loss).backward()
            wrapper._inner_count += 1
            got = _grads(acc)
            assert got.keys() == expected.keys()
            for name in expected:
                torch.testing.assert_close(
                    got[name], expected[name], atol=1e-10, rtol=1e-7, msg=name
                )
            assert wrapper.should_update()
            wrapper.step()
    for name, p in acc.named_parameters():
        if name in expected:
            torch.testing.assert_close(p.detach(), before[name] - 0.5 * expected[name])


def test_without_a_plan_it_is_mmengines_wrapper():
    model = torch.nn.Linear(2, 1)
    wrapper = OPTIM_WRAPPERS.build(
        dict(
            type='ExactAccumulationOptimWrapper',
            accumulative_counts=2,
            optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
        )
    )
    loss = model(torch.ones(1, 2)).sum()
    assert torch.equal(wrapper.scale_loss(loss), loss / 2)
