"""The Qwen2.5-VL and Qwen3-VL families (``ChatTemplateVLM``): tiny random
folders written with ``save_pretrained`` and loaded through ``pretrained=``,
boxes as text numbers (``Qwen2_5VLBoxCoder`` / ``Qwen3VLBoxCoder``)."""

import numpy as np
import pytest
import torch

from vltoolkit.datasets.collate import vl_collate
from vltoolkit.registry import DATASETS, MODELS

# family -> toy image side (a multiple of patch x merge: 28, 32)
SIDES = dict(qwen2_5_vl=112, qwen3_vl=128)


def _grounding_samples(root, family, num=8):
    """The first ``num`` toy RefCOCO samples, their targets in the family's
    box format, before tokenisation."""
    from vltoolkit.datasets.toy import make_toy_refcoco
    from vltoolkit.models.pretrained_vlms import get_family

    data = root / 'toy_refcoco'
    if not (data / 'instances.json').exists():
        make_toy_refcoco(str(data), num_train=6, num_val=1, seed=0)
    side = SIDES[family]
    dataset = DATASETS.build(
        dict(
            type='RefCOCODataset',
            data_root=str(data),
            ann_file='instances.json',
            split_file='refs(unc).p',
            split='train',
            data_prefix=dict(img_path='train2014'),
            pipeline=[
                dict(type='LoadImage'),
                dict(type='ClipBoxesToImage'),
                dict(type='ResizeImageAndBoxes', scale=(side, side)),
                dict(
                    type='TaskPrompt',
                    task='grounding',
                    box_coder=get_family(family).box_coder,
                    templates=dict(grounding='Locate {expression}, output its bbox in JSON.'),
                ),
            ],
        )
    )
    return [dataset[i] for i in range(num)]


@pytest.fixture(scope='module')
def toy(tmp_path_factory):
    """family -> (folder, 8 toy grounding samples in its box format)."""
    from mmengine.registry import init_default_scope

    from vltoolkit.models.pretrained_vlms.toy import save_toy_vlm

    init_default_scope('vltoolkit')
    root = tmp_path_factory.mktemp('chat_vlms')
    out = {}
    for family, side in SIDES.items():
        samples = _grounding_samples(root, family)
        texts = [s['prompt'] for s in samples] + [s['target_text'] for s in samples]
        folder = root / family
        save_toy_vlm(family, str(folder), texts, image_size=side, width=64)
        out[family] = (folder, samples)
    return out


def _build(folder, family, **kw):
    from vltoolkit.models.pretrained_vlms import get_family

    fam = get_family(family)
    cfg = dict(
        type=fam.wrapper.__name__,
        pretrained=str(folder),
        tokenizer=dict(
            type='VLTokenizer',
            path=str(folder),
            box_coder=fam.box_coder,
            add_location_tokens=False,
        ),
        generation_cfg=dict(max_new_tokens=48, num_beams=1),
    )
    cfg.update(kw)
    return MODELS.build(cfg)


def _batch(model, samples):
    from vltoolkit.structures import VLDataSample

    tok = model.tokenizer
    items = [
        dict(
            inputs=dict(
                image=torch.from_numpy(s['img'].transpose(2, 0, 1).copy()),
                input_ids=torch.tensor(tok.encode(s['prompt'])),
                labels=torch.tensor(tok.encode(s['target_text'])),
            ),
            data_samples=VLDataSample(target_text=s['target_text']),
        )
        for s in samples
    ]
    return model.data_preprocessor(vl_collate(items), True)


def overfit(model, data, steps=150, lr=5e-3):
    """AdamW on one batch until the loss is 0.3% of its start (or ``steps``);
    the losses of the steps."""
    params = [p for p in model.parameters() if p.requires_grad]
    optim = torch.optim.AdamW(params, lr=lr)
    losses = []
    for _ in range(steps):
        loss = model.loss(**data)['loss_token']
        optim.zero_grad()
        loss.backward()
        optim.step()
        losses.append(loss.item())
        if loss.item() < 0.003 * losses[0]:
            break
    return losses


@pytest.mark.parametrize('family', list(SIDES))
def test_patches_equal_the_image_processors(toy, family):
    """The wrapper's pixel_values / image_grid_thw, from the pipeline's
    normalised image, equal the folder's image processor's on the same
    pixels."""
    from transformers import AutoImageProcessor

    folder, _ = toy[family]
    model = _build(folder, family)
    side = SIDES[family]
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (2, side, side, 3), dtype=np.uint8)
    theirs = AutoImageProcessor.from_pretrained(str(folder))(
        images=list(pixels), return_tensors='pt'
    )
    images = torch.from_numpy(pixels).permute(0, 3, 1, 2).float()
    pre = model.data_preprocessor
    ours, grid = model.patchify((images - pre.mean) / pre.std)
    assert torch.equal(grid, theirs['image_grid_thw'])
    torch.testing.assert_close(ours, theirs['pixel_values'], atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize('family', list(SIDES))
def test_prefix_is_the_chat_template_with_the_images_tokens(toy, family):
    folder, samples = toy[family]
    model = _build(folder, family)
    tok = model.tokenizer.tokenizer
    prompt = samples[0]['prompt']
    ids = torch.tensor(model.tokenizer.encode(prompt))
    side = SIDES[family]
    patch = model.patch_size * model.merge_size
    for scale in (1, 2):  # the image token count follows the image size
        image = torch.zeros(3, side * scale, side * scale)
        prefix = model.prefix_ids(ids, image).tolist()
        n = (side * scale // patch) ** 2
        assert prefix.count(model.image_token_id) == n
        # what the processor builds: the template, its one <|image_pad|> expanded
        text = tok.apply_chat_template(
            [dict(role='user', content=[dict(type='image'), dict(type='text', text=prompt)])],
            tokenize=False,
            add_generation_prompt=True,
        )
        text = text.replace('<|image_pad|>', '<|image_pad|>' * n)
        assert prefix == tok.encode(text, add_special_tokens=False)
    assert tok.decode(model.tail_ids).endswith('<|im_start|>assistant\n')


@pytest.mark.parametrize('family', list(SIDES))
def test_loss_is_on_the_answer_only_and_equals_the_models_own(toy, family):
    folder, samples = toy[family]
    model = _build(folder, family)
    data = _batch(model, samples[:3])
    logits, targets = model._logits_and_labels(data['inputs'])
    tok = model.tokenizer
    end = tok.tokenizer.convert_tokens_to_ids('<|im_end|>')
    for row, sample in zip(targets, samples[:3]):
        assert row[row != -100].tolist() == tok.encode(sample['target_text']) + [end]
    ours = model.loss(**data)['loss_token']
    prefixes = model._prefixes(data['inputs'])
    answers = model._answers(data['inputs']['labels'])
    seqs = [torch.cat([p, a]) for p, a in zip(prefixes, answers)]
    sequences = model._pad_right(seqs, tok.pad_token_id)
    labels = torch.full_like(sequences, -100)
    for i, (p, a) in enumerate(zip(prefixes, answers)):
        labels[i, len(p) : len(p) + len(a)] = a
    mask = model._pad_right([torch.ones_like(s) for s in seqs], 0)
    kwargs = model.model_inputs(
        sequences, mask, [len(p) for p in prefixes], data['inputs']['images']
    )
    theirs = model.hf_model(**kwargs, labels=labels).loss
    torch.testing.assert_close(ours, theirs)


@pytest.mark.parametrize('family', list(SIDES))
def test_chunked_loss_equals_the_full_logits(toy, family):
    # loss_chunk_size: the loss from the LM head's input, 5 target positions at a time
    folder, samples = toy[family]
    full, chunked = _build(folder, family), _build(folder, family, loss_chunk_size=5)
    chunked.load_state_dict(full.state_dict())
    data = _batch(full, samples[:3])
    losses = []
    for model in (full, chunked):
        model.zero_grad()
        loss = model.loss(**data)['loss_token']
        loss.backward()
        head = model.hf_model.get_output_embeddings().weight
        losses.append((loss.detach(), head.grad.clone()))
    torch.testing.assert_close(losses[1][0], losses[0][0], rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(losses[1][1], losses[0][1], rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize('family', list(SIDES))
def test_lora_on_the_language_model_frozen_vision(toy, family):
    from vltoolkit.models.pretrained_vlms import get_family

    fam = get_family(family)
    folder, samples = toy[family]
    lm = fam.language_module
    model = _build(
        folder,
        family,
        frozen_modules=[fam.vision_module],
        lora=dict(r=4, target_modules=[f'{lm}.*q_proj', f'{lm}.*v_proj']),
    )
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    assert trainable and all('lora_' in n and n.startswith(lm) for n in trainable)
    # the generation config is the recipe's alone
    assert model.generation_config.max_new_tokens == 48
    assert model.generation_config.eos_token_id == model.tokenizer.eos_token_id


@pytest.mark.parametrize('family', list(SIDES))
def test_an_image_the_processor_would_resize_is_refused(toy, family):
    folder, samples = toy[family]
    model = _build(folder, family)
    data = _batch(model, samples[:1])
    data['inputs']['images'] = data['inputs']['images'][..., :50, :50]
    with pytest.raises(ValueError, match='multiple of'):
        model.loss(**data)


@pytest.mark.slow
@pytest.mark.parametrize('family', list(SIDES))
def test_overfits_eight_toy_grounding_samples(toy, family):
    """Target loss down >= 90% and greedy generation gives back every
    target, its numbers included; the boxes read back are the targets'."""
    folder, samples = toy[family]
    torch.manual_seed(0)
    model = _build(folder, family)
    data = _batch(model, samples)
    losses = overfit(model, data)
    assert losses[-1] <= 0.1 * losses[0], losses[::10]
    model.eval()
    preds = [s.pred_text for s in model.predict(**data)]
    targets = [s['target_text'] for s in samples]
    assert preds == targets
    coder = model.tokenizer.box_coder
    side = SIDES[family]
    for pred, sample in zip(preds, samples):
        boxes = coder.find_boxes(pred, (side, side))
        assert len(boxes) == 1
        assert np.abs(np.asarray(boxes[0]) - np.asarray(sample['gt_bboxes'][0])).max() < 2.0
