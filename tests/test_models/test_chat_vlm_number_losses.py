"""Location-aware learning on a model that writes numbers (Qwen2.5-VL, tiny
random folder): the digit-level losses through the model (number places
aligned with the answer, chunked = full), and location tokens added to it
(old rows kept bit for bit, new rows started, a new-rows-only stage, a toy
run that overfits 8 samples)."""

import numpy as np
import pytest
import torch

from tests.test_models.test_chat_vlm import SIDES, _build, _grounding_samples, overfit
from vltoolkit.datasets.collate import vl_collate
from vltoolkit.datasets.transforms import PackVLInputs, TokenizeText
from vltoolkit.losses import NumberTarget
from vltoolkit.tokenization.number_places import NO_PLACE, digit_token_ids

FAMILY = 'qwen2_5_vl'
SIDE = SIDES[FAMILY]
LOC = dict(type='BinBoxCoder', num_bins=7, token_fmt='<|loc_{}|>')


@pytest.fixture(scope='module')
def toy(tmp_path_factory):
    from mmengine.registry import init_default_scope

    from vltoolkit.models.pretrained_vlms.toy import save_toy_vlm

    init_default_scope('vltoolkit')
    root = tmp_path_factory.mktemp('qwen_numbers')
    samples = _grounding_samples(root, FAMILY)
    texts = [s['prompt'] for s in samples] + [s['target_text'] for s in samples]
    folder = root / FAMILY
    save_toy_vlm(FAMILY, str(folder), texts, image_size=SIDE, width=64)
    return folder, samples


def _tokenizer_cfg(folder, box_coder=None):
    from vltoolkit.models.pretrained_vlms import get_family

    return dict(
        type='VLTokenizer',
        path=str(folder),
        box_coder=box_coder or get_family(FAMILY).box_coder,
        add_location_tokens=box_coder is not None,
    )


def _batch(model, samples, tokenizer_cfg):
    """What the pipeline gives the model: TokenizeText (number places
    included), PackVLInputs, collate, the data preprocessor."""
    tokenize, pack = TokenizeText(tokenizer_cfg), PackVLInputs()
    items = [pack(tokenize(dict(s, img=s['img']))) for s in samples]
    return model.data_preprocessor(vl_collate(items), True)


def test_places_follow_the_answer_into_the_sequence(toy):
    folder, samples = toy
    cfg = _tokenizer_cfg(folder)
    model = _build(folder, FAMILY)
    data = _batch(model, samples[:3], cfg)
    _, targets, places = model._loss_inputs(data['inputs'])
    tok = model.tokenizer
    coder = tok.box_coder
    for row, place, sample in zip(targets, places, samples[:3]):
        marked = row[place != NO_PLACE]
        digits = ''.join(tok.decode([int(i)]) for i in marked)
        numbers = [int(v) for v in coder.encode_numbers(sample['gt_bboxes'][0], (SIDE, SIDE))]
        assert digits == ''.join(str(v) for v in numbers)
        # the place of each digit: its power of ten in its number
        expected = [len(str(v)) - 1 - k for v in numbers for k in range(len(str(v)))]
        assert place[place != NO_PLACE].tolist() == expected


@pytest.mark.parametrize(
    'loss,encoder',
    [
        (dict(type='GEMLoss', beta=0.7), 'DigitDistanceLabelEncoder'),
        (dict(type='NumberTokenLoss', variant='was', reweigh=True), None),
        (dict(type='NumberTokenLoss', variant='mse', base_loss=dict(type='GEMLoss')), 'digit'),
    ],
)
def test_digit_losses_through_the_model_chunked_equals_full(toy, loss, encoder):
    folder, samples = toy
    cfg = _tokenizer_cfg(folder)
    if 'tokenizer' not in loss and loss['type'] == 'NumberTokenLoss':
        loss = dict(loss, tokenizer=cfg)
    enc = None if encoder is None else dict(type='DigitDistanceLabelEncoder', tokenizer=cfg)
    full = _build(folder, FAMILY, loss=loss, label_encoder=enc)
    chunked = _build(folder, FAMILY, loss=loss, label_encoder=enc, loss_chunk_size=5)
    chunked.load_state_dict(full.state_dict())
    data = _batch(full, samples[:3], cfg)
    out = []
    for model in (full, chunked):
        model.zero_grad()
        value = model.loss(**data)['loss_token']
        value.backward()
        out.append((value.detach(), model.hf_model.get_output_embeddings().weight.grad.clone()))
    torch.testing.assert_close(out[1][0], out[0][0], rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(out[1][1], out[0][1], rtol=1e-5, atol=1e-7)
    # the full path is the loss module on the aligned logits, ids and places
    logits, targets, places = full._loss_inputs(data['inputs'])
    ids, flat = targets.reshape(-1), logits.reshape(-1, logits.shape[-1])
    target = (
        ids
        if full.label_encoder is None
        else full.label_encoder(ids, flat.shape[-1], places=places.reshape(-1))
    )
    if getattr(full.loss_module, 'uses_number_places', False):
        target = NumberTarget(target, ids, places.reshape(-1))
    torch.testing.assert_close(out[0][0], full.loss_module(flat, target), rtol=1e-6, atol=1e-7)


def _in_location_tokens(samples):
    """The samples with prompts and targets in the added bins' format."""
    from vltoolkit.datasets.transforms import TaskPrompt

    prompt = TaskPrompt(
        task='grounding',
        box_coder=LOC,
        templates=dict(grounding='Locate {expression}, output its bbox in JSON.'),
    )
    return [prompt(dict(s)) for s in samples]


def _added(folder, **added):
    return _build(
        folder,
        FAMILY,
        tokenizer=_tokenizer_cfg(folder, LOC),
        added_tokens=dict(init='sincos', **added),
    )


def test_added_location_tokens_keep_the_old_rows(toy):
    folder, _ = toy
    plain = _build(folder, FAMILY)
    old_in = plain.hf_model.get_input_embeddings().weight.detach()
    old_out = plain.hf_model.get_output_embeddings().weight.detach()
    for init in ('sincos', 'digit_mean'):
        model = _build(
            folder,
            FAMILY,
            tokenizer=_tokenizer_cfg(folder, LOC),
            added_tokens=dict(init=init),
        )
        n = len(old_in)
        assert model.first_added_token == n
        new_in = model.hf_model.get_input_embeddings().weight.detach()
        new_out = model.hf_model.get_output_embeddings().weight.detach()
        assert new_in.shape[0] == n + 7 == len(model.tokenizer)
        assert torch.equal(new_in[:n], old_in) and torch.equal(new_out[:n], old_out)
        loc = model.tokenizer.location_token_ids
        assert loc.min() >= n
        if init == 'digit_mean':
            digits = digit_token_ids(model.tokenizer)
            torch.testing.assert_close(new_in[loc], old_in[digits].mean(0).expand(7, -1))
        else:  # neighbours start closer than far bins, scaled like the old rows
            rows = new_in[loc]
            near, far = (rows[0] - rows[1]).norm(), (rows[0] - rows[6]).norm()
            assert near < far
            assert 0.5 < float(rows.std() / old_in.std()) < 2


def test_new_rows_only_stage_moves_nothing_else(toy):
    folder, samples = toy
    model = _added(folder, train_new_rows_only=True)
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    assert sorted(trainable) == sorted(
        n for n, _ in model.named_parameters() if 'embed_tokens' in n or 'lm_head' in n
    )
    before = {k: v.clone() for k, v in model.state_dict().items()}
    params = [p for p in model.parameters() if p.requires_grad]
    optim = torch.optim.AdamW(params, lr=1e-2, weight_decay=0.0)
    data = _batch(model, _in_location_tokens(samples[:2]), _tokenizer_cfg(folder, LOC))
    for _ in range(3):
        optim.zero_grad()
        model.loss(**data)['loss_token'].backward()
        optim.step()
    first = model.first_added_token
    after = model.state_dict()
    for key, value in before.items():
        if 'embed_tokens' in key or 'lm_head' in key:
            assert torch.equal(after[key][:first], value[:first]), key
            assert not torch.equal(after[key][first:], value[first:]), key
        else:
            assert torch.equal(after[key], value), key


def test_added_tokens_need_new_tokens(toy):
    folder, _ = toy
    with pytest.raises(ValueError, match='no location token to add'):
        _build(folder, FAMILY, added_tokens=dict(init='sincos'))


@pytest.mark.slow
def test_added_location_tokens_overfit_eight_samples(toy):
    """Token CE on the added bins (started at their sin-cos codes): loss
    down >= 90% and every target (its location tokens) reproduced by greedy
    generation. (GEM's value is not a distance to the target: it can start
    near 0, so the loss-drop criterion is CE's.)"""
    folder, samples = toy
    tok_cfg = _tokenizer_cfg(folder, LOC)
    torch.manual_seed(0)
    model = _build(
        folder,
        FAMILY,
        tokenizer=tok_cfg,
        added_tokens=dict(init='sincos'),
        generation_cfg=dict(max_new_tokens=12, num_beams=1),
    )
    located = _in_location_tokens(samples)
    data = _batch(model, located, tok_cfg)
    losses = overfit(model, data)
    assert losses[-1] <= 0.1 * losses[0], losses[::10]
    model.eval()
    preds = [s.pred_text for s in model.predict(**data)]
    assert preds == [s['target_text'] for s in located]
    coder = model.tokenizer.box_coder
    for pred, sample in zip(preds, located):
        box = coder.find_boxes(pred, (SIDE, SIDE))[0]
        assert np.abs(np.asarray(box) - np.asarray(sample['gt_bboxes'][0])).max() < SIDE / 6 / 2
