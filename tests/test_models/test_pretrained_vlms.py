"""Florence-2 / PaliGemma / Kosmos-2 wrappers, loaded through
``pretrained=`` from tiny random folders written with ``save_pretrained``."""

import json

import pytest
import torch

from vltoolkit.models.pretrained_vlms import PretrainedVLMError
from vltoolkit.models.pretrained_vlms.toy import save_toy_vlm

from .pretrained_vlm_helpers import FAMILIES, IMG, build_vlm, make_batch, toy_hoi_texts_and_samples


@pytest.fixture(scope='module')
def toy(tmp_path_factory):
    """family -> (folder, 8 toy HOI samples in its location tokens)."""
    from mmengine.registry import init_default_scope

    init_default_scope('vltoolkit')
    root = tmp_path_factory.mktemp('vlms')
    out = {}
    for family in FAMILIES:
        texts, samples = toy_hoi_texts_and_samples(root, family)
        folder = root / family
        save_toy_vlm(family, str(folder), texts, image_size=IMG, width=64)
        out[family] = (folder, samples)
    return out


@pytest.mark.parametrize('family', list(FAMILIES))
def test_tensor_mode_and_answer_only_targets(toy, family):
    folder, samples = toy[family]
    model = build_vlm(folder, family)
    data = make_batch(model, samples[:3])
    logits, targets = model._logits_and_labels(data['inputs'])
    assert model(**data, mode='tensor').shape == logits.shape
    assert logits.shape[-1] == model.hf_model.get_output_embeddings().out_features
    # the loss sees exactly the answer tokens (+ EOS), nothing of the prompt
    tok = model.tokenizer
    for row, sample in zip(targets, samples[:3]):
        kept = row[row != -100].tolist()
        answer = [
            i
            for i in tok.encode(sample['target_text'])
            if i != tok.bos_token_id or family == 'florence2'
        ]
        if answer[-1] != tok.eos_token_id:
            answer.append(tok.eos_token_id)
        assert kept == answer
    assert model.loss_units(data['inputs']) == sum((r != -100).sum() for r in targets)


def test_florence2_loss_equals_the_models_own_loss(toy):
    folder, samples = toy['florence2']
    model = build_vlm(folder, 'florence2')
    data = make_batch(model, samples[:4])
    ours = model.loss(**data)['loss_token']
    theirs = model.hf_model(
        **model.encoder_inputs(data['inputs']), labels=data['inputs']['labels']
    ).loss
    torch.testing.assert_close(ours, theirs)


@pytest.mark.parametrize('family', ['paligemma', 'kosmos2'])
def test_decoder_only_loss_equals_the_models_own_loss(toy, family):
    """transformers shifts ``labels`` itself; ours are already shifted."""
    folder, samples = toy[family]
    model = build_vlm(folder, family)
    data = make_batch(model, samples[:4])
    ours = model.loss(**data)['loss_token']
    prefixes = model._prefixes(data['inputs'])
    answers = model._answers(data['inputs']['labels'])
    seqs = [torch.cat([p, a]) for p, a in zip(prefixes, answers)]
    sequences = model._pad_right(seqs, model.tokenizer.pad_token_id)
    labels = torch.full_like(sequences, -100)
    for i, (p, a) in enumerate(zip(prefixes, answers)):
        labels[i, len(p) : len(p) + len(a)] = a
    mask = model._pad_right([torch.ones_like(s) for s in seqs], 0)
    kwargs = model.model_inputs(
        sequences, mask, [len(p) for p in prefixes], data['inputs']['images']
    )
    theirs = model.hf_model(**kwargs, labels=labels).loss
    torch.testing.assert_close(ours, theirs)


def test_paligemma_prefix_is_bidirectional_and_image_tokens_lead(toy):
    folder, samples = toy['paligemma']
    model = build_vlm(folder, 'paligemma')
    data = make_batch(model, samples[:1])
    prefix = model._prefixes(data['inputs'])[0]
    n = model.hf_model.config.text_config.num_image_tokens
    assert prefix[:n].eq(model.hf_model.config.image_token_id).all()
    assert int(prefix[n]) == model.tokenizer.bos_token_id
    seq = prefix[None]
    kwargs = model.model_inputs(
        torch.cat([seq, seq[:, :2]], 1),
        torch.ones(1, len(prefix) + 2, dtype=torch.long),
        [len(prefix)],
        data['inputs']['images'],
    )
    assert kwargs['token_type_ids'][0].tolist() == [0] * len(prefix) + [1, 1]


@pytest.mark.parametrize('family', list(FAMILIES))
def test_frozen_vision_and_lora_train_only_adapters(toy, family):
    folder, _ = toy[family]
    from vltoolkit.models.pretrained_vlms import get_family

    vision, lm = get_family(family).vision_module, get_family(family).language_module
    model = build_vlm(
        folder,
        family,
        frozen_modules=[vision],
        lora=dict(r=4, target_modules=[f'{lm}.*q_proj', f'{lm}.*v_proj']),
    )
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    assert trainable and all('lora_' in n for n in trainable)
    assert all(n.startswith(lm) for n in trainable)


def test_generation_config_ignores_the_folders_file(toy, tmp_path):
    import shutil

    folder, samples = toy['florence2']
    copy = tmp_path / 'f2'
    shutil.copytree(folder, copy)
    (copy / 'generation_config.json').write_text(
        json.dumps(dict(num_beams=4, no_repeat_ngram_size=3, forced_bos_token_id=0))
    )
    model = build_vlm(copy, 'florence2')
    cfg = model.generation_config
    assert cfg.num_beams == 1 and cfg.no_repeat_ngram_size is None
    assert cfg.forced_bos_token_id is None and cfg.max_new_tokens == 24
    # generate() fills unset keys from the HF model's own generation_config:
    # that one must be the clean one too
    used = model.hf_model.generation_config
    assert used.no_repeat_ngram_size is None and used.forced_bos_token_id is None


def test_image_settings_come_from_the_processor(toy):
    folder, samples = toy['kosmos2']
    model = build_vlm(folder, 'kosmos2')
    mean = model.data_preprocessor.mean.flatten().tolist()
    assert mean == pytest.approx([0.48145466 * 255, 0.4578275 * 255, 0.40821073 * 255])
    data = make_batch(model, samples[:1])
    data['inputs']['images'] = data['inputs']['images'][..., :32, :32]
    with pytest.raises(ValueError, match=r'expects \(64, 64\)'):
        model.loss(**data)


def test_bad_pretrained_is_one_clear_error(toy, tmp_path, monkeypatch):
    folder, _ = toy['florence2']
    with pytest.raises(
        PretrainedVLMError,
        match=r'(?s)no such folder.*huggingface-cli download '
        r'florence-community/Florence-2-base --local-dir .*missing/florence2',
    ):
        build_vlm(tmp_path / 'missing' / 'florence2', 'florence2')
    # a Florence-2 folder given to the PaliGemma wrapper
    tok = dict(
        type='VLTokenizer',
        path=str(folder),
        box_coder=dict(type='Florence2BoxCoder'),
        add_location_tokens=False,
    )
    with pytest.raises(PretrainedVLMError, match="(?s)holds a 'florence2' model.*PaliGemma"):
        build_vlm(folder, 'paligemma', tokenizer=tok)
    # a hub name, offline, with an empty cache
    monkeypatch.setenv('HF_HUB_OFFLINE', '1')
    monkeypatch.setenv('HF_HOME', str(tmp_path / 'hf_home'))
    monkeypatch.setenv('HF_HUB_CACHE', str(tmp_path / 'hf_home' / 'hub'))
    with pytest.raises(
        PretrainedVLMError,
        match=r"(?s)'florence-community/Florence-2-base'.*HF_HUB_OFFLINE=1.*"
        r'huggingface-cli download florence-community/Florence-2-base',
    ):
        build_vlm('florence-community/Florence-2-base', 'florence2', tokenizer=tok)


def test_tokenizer_without_native_tokens_is_refused(tmp_path):
    from vltoolkit.tokenization import VLTokenizer, train_word_level_tokenizer

    train_word_level_tokenizer(['a dog'], str(tmp_path))
    with pytest.raises(ValueError, match='lacks 1000 location token'):
        VLTokenizer(
            str(tmp_path), box_coder=dict(type='Florence2BoxCoder'), add_location_tokens=False
        )


def test_config_built_model(toy):
    """``config=`` builds a random model of any size (no folder)."""
    from vltoolkit.models.pretrained_vlms.toy import toy_config

    folder, samples = toy['kosmos2']
    model = build_vlm(
        folder,
        'kosmos2',
        pretrained=None,
        check_image_size=False,
        config=toy_config('kosmos2', _tok(folder), IMG, width=32),
    )
    assert model.hf_model.config.text_config.embed_dim == 32
    data = make_batch(model, samples[:2])
    assert torch.isfinite(model.loss(**data)['loss_token'])


def _tok(folder):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(folder))


@pytest.mark.slow
@pytest.mark.parametrize('family', list(FAMILIES))
def test_overfits_eight_toy_hoi_samples(toy, family):
    """Target loss down >= 90% and greedy generation gives back every
    target, location tokens included."""
    folder, samples = toy[family]
    torch.manual_seed(0)
    model = build_vlm(folder, family)
    data = make_batch(model, samples)
    params = [p for p in model.parameters() if p.requires_grad]
    optim = torch.optim.AdamW(params, lr=2e-3)
    losses = []
    for _ in range(120):
        loss = model.loss(**data)['loss_token']
        optim.zero_grad()
        loss.backward()
        optim.step()
        losses.append(loss.item())
    assert losses[-1] <= 0.1 * losses[0], losses[::20]
    model.eval()
    preds = [s.pred_text for s in model.predict(**data)]
    targets = model.tokenizer.batch_decode(data['inputs']['labels'])
    assert preds == targets
    coder = model.tokenizer.box_coder
    boxed = [t for t in targets if coder.find_boxes(t, (IMG, IMG))]
    assert boxed, 'the 8 samples hold localisation targets'


@pytest.mark.parametrize('family', list(FAMILIES))
def test_grad_checkpointing_gives_the_same_gradients(toy, family):
    folder, samples = toy[family]
    grads = []
    for ckpt in (False, True):
        model = build_vlm(folder, family, grad_checkpointing=ckpt)
        model.train()
        data = make_batch(model, samples[:2])
        model.loss(**data)['loss_token'].backward()
        grads.append({n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None})
    assert grads[0].keys() == grads[1].keys()
    for name in grads[0]:
        torch.testing.assert_close(grads[0][name], grads[1][name], rtol=1e-4, atol=1e-6)
