import pytest
import torch

from vltoolkit.datasets import vl_collate
from vltoolkit.registry import MODELS
from vltoolkit.structures import VLDataSample
from vltoolkit.tokenization import build_tokenizer

from .conftest import tiny_model_cfg

SAMPLES = [
    (
        'what is the interaction between person<loc_1><loc_6> and donut<loc_9><loc_14> ?',
        'hold , eat',
    ),
    ('what is the interaction between person<loc_0><loc_5> and cup<loc_2><loc_3> ?', 'drink with'),
    ('what is the interaction between person<loc_4><loc_15> and nothing ?', 'look'),
    (
        'what is the interaction between person<loc_8><loc_10> and donut<loc_5><loc_5> ?',
        'kick <loc_7>',
    ),
]


def _batch(tokenizer_cfg):
    tok = build_tokenizer(tokenizer_cfg)
    g = torch.Generator().manual_seed(0)
    items = []
    for prompt, target in SAMPLES:
        sample = VLDataSample(prompt=prompt, target_text=target)
        items.append(
            dict(
                inputs=dict(
                    image=torch.randint(0, 255, (3, 32, 32), generator=g, dtype=torch.uint8),
                    input_ids=torch.tensor(tok.encode(prompt)),
                    labels=torch.tensor(tok.encode(target)),
                ),
                data_samples=sample,
            )
        )
    return vl_collate(items)


def test_overfits_four_samples_and_generates_their_targets(tiny_tokenizer_cfg):
    torch.manual_seed(0)
    model = MODELS.build(tiny_model_cfg(tiny_tokenizer_cfg))
    batch = _batch(tiny_tokenizer_cfg)
    optim = torch.optim.AdamW(model.parameters(), lr=3e-3)
    data = model.data_preprocessor(batch, training=True)
    first = None
    for _ in range(120):
        loss = model(**data, mode='loss')['loss_token']
        first = first if first is not None else loss.item()
        optim.zero_grad()
        loss.backward()
        optim.step()
    assert loss.item() < 0.05 * first
    model.eval()
    out = model(**model.data_preprocessor(batch), mode='predict')
    tok = build_tokenizer(tiny_tokenizer_cfg)
    norm = lambda s: ' '.join(tok.batch_decode([tok.encode(s)])[0].split())  # noqa: E731
    assert [' '.join(s.pred_text.split()) for s in out] == [norm(t) for _, t in SAMPLES]


def test_loss_is_the_token_mean_of_the_batch(tiny_tokenizer_cfg):
    model = MODELS.build(tiny_model_cfg(tiny_tokenizer_cfg))
    data = model.data_preprocessor(_batch(tiny_tokenizer_cfg))
    logits = model(**data, mode='tensor')
    labels = data['inputs']['labels']
    assert logits.shape[:2] == labels.shape
    expected = torch.nn.functional.cross_entropy(
        logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=-100
    )
    assert torch.allclose(model(**data, mode='loss')['loss_token'], expected, atol=1e-6)


def test_frozen_modules_and_unknown_pattern(tiny_tokenizer_cfg):
    model = MODELS.build(tiny_model_cfg(tiny_tokenizer_cfg, frozen_modules=['vision_encoder']))
    assert not any(p.requires_grad for p in model.vision_encoder.parameters())
    assert all(p.requires_grad for p in model.visual_proj.parameters())
    with pytest.raises(ValueError, match="'visionencoder' matches no module.*vision_encoder"):
        MODELS.build(tiny_model_cfg(tiny_tokenizer_cfg, frozen_modules=['visionencoder']))


def test_runner_init_weights_keeps_pretrained_timm_weights(tiny_tokenizer_cfg, tmp_path):
    """mmengine's Runner calls model.init_weights(); timm backbones have an
    init_weights() that would re-initialise (wipe) loaded weights."""
    import timm
    from safetensors.torch import save_file

    src = timm.create_model(
        'vit_tiny_patch16_224',
        img_size=32,
        patch_size=16,
        depth=1,
        embed_dim=32,
        num_heads=2,
        num_classes=0,
    )
    with torch.no_grad():
        for p in src.parameters():
            p.fill_(0.5)
    save_file(src.state_dict(), str(tmp_path / 'vit.safetensors'))
    cfg = tiny_model_cfg(tiny_tokenizer_cfg)
    cfg['vision_encoder']['pretrained_path'] = str(tmp_path / 'vit.safetensors')
    model = MODELS.build(cfg)
    lm_before = {k: v.clone() for k, v in model.language_model.state_dict().items()}
    model.init_weights()
    for name, p in model.vision_encoder.model.named_parameters():
        assert torch.all(p == 0.5), name
    for k, v in model.language_model.state_dict().items():
        assert torch.equal(v, lm_before[k]), k
    # the trap is real: timm's own init_weights does wipe them
    model.vision_encoder.model.init_weights()
    assert not torch.all(model.vision_encoder.model.pos_embed == 0.5)


def test_missing_pretrained_path_is_a_clear_error(tiny_tokenizer_cfg):
    cfg = tiny_model_cfg(tiny_tokenizer_cfg)
    cfg['vision_encoder']['pretrained_path'] = '/nowhere/vit.pth'
    with pytest.raises(FileNotFoundError, match='/nowhere/vit.pth'):
        MODELS.build(cfg)


def test_one_hot_labels_pass_ids_and_give_the_same_loss(tiny_tokenizer_cfg):
    """OneHotLabelEncoder is ids-equivalent: the model skips the [N, V] tensor."""
    from vltoolkit.label_encoders import OneHotLabelEncoder
    from vltoolkit.losses import TokenCrossEntropyLoss

    torch.manual_seed(0)
    model = MODELS.build(
        tiny_model_cfg(tiny_tokenizer_cfg, label_encoder=dict(type='OneHotLabelEncoder'))
    )
    data = model.data_preprocessor(_batch(tiny_tokenizer_cfg))
    seen = []
    model.loss_module.register_forward_pre_hook(
        lambda m, args, kw: seen.append(args[1].dim()), with_kwargs=True
    )
    loss = model(**data, mode='loss')['loss_token']
    assert seen == [1]  # ids, not distributions
    logits = model(**data, mode='tensor').reshape(-1, len(build_tokenizer(tiny_tokenizer_cfg)))
    ids = data['inputs']['labels'].reshape(-1)
    dense = TokenCrossEntropyLoss()(logits, OneHotLabelEncoder()(ids, logits.shape[-1]))
    assert torch.allclose(loss, dense, atol=1e-6)
