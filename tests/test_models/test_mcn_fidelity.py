"""MCN against the official code (brian7685/Multimodal-Clustering-Network):
the reconstruction loss's gradients, ``Sentence_Maxpool`` over padded words,
and ``model.double()``."""

import pytest
import torch
import torch.nn.functional as F

from tests.mcn_helpers import tiny_mcn_cfg
from vltoolkit.registry import MODELS

OFFICIAL_RECON_WEIGHT = 50  # train_tri_kmeans.py: recon_w = 50


def _inputs(b=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    text = torch.randn(b, 5, 8, generator=g)
    mask = torch.tensor([[1] * 5, [1] * 3 + [0] * 2, [1] * 2 + [0] * 3, [1] * 4 + [0]])
    return dict(
        video=torch.rand(b, 12, generator=g),
        audio=torch.randn(b, 40, 20, generator=g),
        audio_nframes=torch.tensor([20, 17, 9, 12]),
        text=text * mask[..., None],
        text_mask=mask,
    )


def _official_sentence_maxpool(fc, words, max_words):
    """``Sentence_Maxpool``: ``max(relu(fc(x)), dim=1)`` over the caption
    zero-padded to ``max_words`` (the data loader's ``_zero_pad_tensor``)."""
    x = torch.zeros(max_words, words.shape[-1], dtype=words.dtype)
    x[: words.shape[0]] = words
    return F.relu(fc(x)).max(dim=0).values


def _official_recon_loss(model, inputs, detach=False):
    """``model_tri_kmeans.py`` + ``train_tri_kmeans.py``, one sample at a
    time: ``mse_m = mean((recon_m(e_m) - m_gt)^2)`` with ``video_gt`` the
    input, ``audio_gt`` the pooled DAVEnet output and ``text_gt`` the
    ``Sentence_Maxpool`` output (not detached), ``loss = 50 * mean_i (mse_v +
    mse_a + mse_t)``."""
    enc, heads = model.encoders, model.recon_heads
    total = 0.0
    b = inputs['video'].shape[0]
    for i in range(b):
        video_gt = inputs['video'][i : i + 1].double()
        _, audio_gt = enc.audio(inputs['audio'][i : i + 1], inputs['audio_nframes'][i : i + 1])
        audio = enc.audio.proj(enc.audio.gu(audio_gt))
        n = int(inputs['text_mask'][i].sum())
        text_gt = _official_sentence_maxpool(
            enc.text.fc, inputs['text'][i, :n].double(), enc.text.max_words
        )[None]
        text = enc.text.gu(text_gt)
        sg = (lambda t: t.detach()) if detach else (lambda t: t)
        for emb, gt, m in (
            (enc.video.gu(video_gt), video_gt, 'video'),
            (audio, audio_gt, 'audio'),
            (text, text_gt, 'text'),
        ):
            total = total + ((heads[m](emb) - sg(gt)) ** 2).mean()
    return OFFICIAL_RECON_WEIGHT * total / b


def _grads(model, loss):
    model.zero_grad()
    loss.backward()
    return {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}


def _tiny(detach_target=None):
    recon = dict(type='FeatureReconstructionLoss', loss_weight=OFFICIAL_RECON_WEIGHT)
    if detach_target is not None:
        recon['detach_target'] = detach_target
    torch.manual_seed(0)
    model = MODELS.build(
        tiny_mcn_cfg(reconstruction_loss=recon, loss_terms=['reconstruction'])
    ).double()
    return model.eval()  # BatchNorm on running stats: one sample = its batch row


def test_reconstruction_gradients_match_the_official_code():
    model = _tiny()  # default: the target is not detached
    inputs = _inputs()
    ours = model(inputs, mode='loss')['loss_recon']
    grads = _grads(model, ours)
    official = _official_recon_loss(model, inputs)
    ref = _grads(model, official)
    assert ours.item() == pytest.approx(official.item(), rel=1e-12)
    assert set(grads) == set(ref)
    # the reconstruction loss reaches the audio CNN and the text layer
    assert any(n.startswith('encoders.audio.stages') for n in grads)
    assert 'encoders.text.fc.weight' in grads
    for name in ref:
        torch.testing.assert_close(grads[name], ref[name], rtol=1e-9, atol=1e-12, msg=name)


def test_detached_target_is_an_option_and_changes_the_encoder_gradients():
    inputs = _inputs()
    model = _tiny(detach_target=True)
    grads = _grads(model, model(inputs, mode='loss')['loss_recon'])
    detached = _grads(model, _official_recon_loss(model, inputs, detach=True))
    official = _grads(model, _official_recon_loss(model, inputs))
    for name in detached:
        torch.testing.assert_close(grads[name], detached[name], rtol=1e-9, atol=1e-12)
    # the heads see the same gradient either way; the encoders do not
    torch.testing.assert_close(
        grads['recon_heads.audio.0.weight'], official['recon_heads.audio.0.weight']
    )
    for name in ('encoders.audio.stages.0.0.conv1.weight', 'encoders.text.fc.weight'):
        diff = (grads[name] - official[name]).norm() / official[name].norm()
        assert diff > 0.05, (name, diff)


@pytest.mark.parametrize('mask_padding', [False, True])
def test_sentence_maxpool_padding(mask_padding):
    torch.manual_seed(1)
    enc = MODELS.build(
        dict(
            type='SentenceMaxpoolEncoder',
            we_dim=4,
            embed_dim=6,
            max_words=5,
            mask_padding=mask_padding,
        )
    ).double()
    with torch.no_grad():
        enc.fc.bias.fill_(0.5)  # ReLU(b) > 0: the padding word matters
    captions = [torch.randn(n, 4, dtype=torch.float64) for n in (2, 5, 1)]

    def batch(width):
        text = torch.zeros(len(captions), width, 4, dtype=torch.float64)
        mask = torch.zeros(len(captions), width, dtype=torch.long)
        for i, c in enumerate(captions):
            text[i, : len(c)], mask[i, : len(c)] = c, 1
        return text, mask

    _, pooled = enc(*batch(5))
    _, wider = enc(*batch(7))  # more batch padding: the same features
    torch.testing.assert_close(pooled, wider)
    for i, c in enumerate(captions):
        if mask_padding:
            expected = F.relu(enc.fc(c)).max(dim=0).values
        else:
            expected = _official_sentence_maxpool(enc.fc, c, max_words=5)
        torch.testing.assert_close(pooled[i], expected)
    # the two rules differ exactly on the captions shorter than max_words
    own = torch.stack([F.relu(enc.fc(c)).max(dim=0).values for c in captions])
    torch.testing.assert_close(pooled[1], own[1])
    assert mask_padding == torch.allclose(pooled[[0, 2]], own[[0, 2]])


def test_model_double_runs_on_float32_batches():
    model = MODELS.build(tiny_mcn_cfg()).double()
    losses = model(_inputs(), mode='loss')  # the dataloader's float32 features
    assert all(v.dtype == torch.float64 for v in losses.values())
    sum(losses.values()).backward()
    assert model.encoders.audio.stem[0].weight.grad.dtype == torch.float64
    emb = model.eval()(_inputs(), mode='tensor')
    assert {e.dtype for e in emb.values()} == {torch.float64}
