"""MCN: stages, losses against direct computations, online k-means buffers."""

import pytest
import torch
import torch.nn.functional as F

from tests.mcn_helpers import tiny_mcn_cfg
from vltoolkit.losses import mms_loss
from vltoolkit.models.mcn import OnlineKMeans, cosine_kmeans
from vltoolkit.registry import MODELS
from vltoolkit.structures import VLDataSample


def _inputs(b=6, seed=0):
    g = torch.Generator().manual_seed(seed)
    return dict(
        video=torch.rand(b, 12, generator=g),
        audio=torch.randn(b, 40, 20, generator=g),
        audio_nframes=torch.tensor([20, 17, 9, 20, 5, 12][:b]),
        text=torch.randn(b, 5, 8, generator=g),
        text_mask=torch.tensor([[1] * 5, [1] * 3 + [0] * 2] * (b // 2)),
    )


def test_loss_terms_equal_direct_computations():
    torch.manual_seed(0)
    model = MODELS.build(tiny_mcn_cfg())
    model.eval()  # BatchNorm with running stats: tensor and loss modes agree
    inputs = _inputs()
    emb = model(inputs, mode='tensor')
    losses = model(inputs, mode='loss')
    assert set(losses) == {
        'loss_mms_va',
        'loss_mms_vt',
        'loss_mms_at',
        'loss_cluster',
        'loss_recon',
    }
    for pair, (a, b) in {
        'va': ('video', 'audio'),
        'vt': ('video', 'text'),
        'at': ('audio', 'text'),
    }.items():
        direct = mms_loss(emb[a] @ emb[b].t(), margin=0.001)
        assert torch.allclose(losses[f'loss_mms_{pair}'], direct, atol=1e-6)
    # clustering: each modality against the centroids of its fused embedding
    labels = model.kmeans.assign(sum(emb.values()) / 3)
    centroids = model.kmeans.centroids
    direct = 0
    for m in ('video', 'audio', 'text'):
        sim = emb[m] @ centroids.t() - 0.001 * F.one_hot(labels, 3)
        direct = direct + F.cross_entropy(sim, labels) / 3
    assert torch.allclose(losses['loss_cluster'], direct, atol=1e-6)


def test_stage_trains_only_its_modalities():
    model = MODELS.build(tiny_mcn_cfg())
    model.set_stage(['audio', 'video'])
    losses = model(_inputs(), mode='loss')
    assert set(losses) == {'loss_mms_va', 'loss_cluster', 'loss_recon'}
    sum(losses.values()).backward()
    assert all(p.grad is None for p in model.encoders.text.parameters())
    assert all(p.grad is not None for p in model.encoders.video.parameters())
    model.set_stage(['video', 'text'], loss_terms=['contrastive'])
    assert set(model(_inputs(), mode='loss')) == {'loss_mms_vt'}
    with pytest.raises(ValueError, match=r"unknown modalities \['depth'\]"):
        model.set_stage(['video', 'depth'])
    with pytest.raises(ValueError, match='unknown MCN loss terms'):
        model.set_stage(['video', 'text'], loss_terms=['contrast'])
    with pytest.raises(ValueError, match='no pair'):
        model.set_stage(['video'])
    with pytest.raises(ValueError, match='no lora'):
        model.set_stage(['video', 'text'], adapters=['vt'])


def test_predict_sets_embeddings_and_missing_inputs_fail():
    model = MODELS.build(tiny_mcn_cfg()).eval()
    inputs = _inputs()
    samples = model(inputs, [VLDataSample() for _ in range(6)], mode='predict')
    assert set(samples[0].embeddings) == {'video', 'audio', 'text'}
    assert samples[0].embeddings['text'].shape == (8,)
    del inputs['text_mask']
    with pytest.raises(KeyError, match=r"no \['text_mask'\] for the 'text' encoder"):
        model(inputs, mode='loss')


def test_audio_pooling_ignores_padding():
    enc = MODELS.build(
        dict(
            type='DAVEnetAudioEncoder',
            n_mels=40,
            channels=(4, 8),
            blocks_per_stage=1,
            kernel=3,
            embed_dim=8,
        )
    ).eval()
    audio = torch.randn(1, 40, 16)
    padded = torch.cat([audio, torch.randn(1, 40, 16) * 100], dim=2)
    a, _ = enc(audio, torch.tensor([16]))
    b, _ = enc(padded, torch.tensor([16]))
    assert torch.allclose(a, b, atol=1e-5)


def test_cosine_kmeans_recovers_separated_clusters():
    g = torch.Generator().manual_seed(0)
    centres = torch.tensor([[5.0, 0, 0], [0, 5.0, 0], [0, 0, 5.0]])
    x = torch.cat([c + 0.3 * torch.randn(10, 3, generator=g) for c in centres])
    centroids, labels = cosine_kmeans(x, x[[0, 10, 20]])
    assert labels.tolist() == [0] * 10 + [1] * 10 + [2] * 10
    # centroids are means of the raw (not normalised) features
    assert torch.allclose(centroids[1], x[10:20].mean(0))


def test_online_kmeans_queue_refit_and_state_dict_resume():
    km = OnlineKMeans(num_clusters=2, dim=2, queue_size=4, refit_interval=3)
    batches = [torch.randn(3, 2, generator=torch.Generator().manual_seed(i)) for i in range(7)]
    for b in batches[:4]:
        km.step(b)
    assert int(km.num_steps) == 4 and int(km.num_fits) == 2  # steps 0 and 3
    assert int(km.queue_len) == 4
    # FIFO, newest first: the last batch, then the first row of the one before
    assert torch.equal(km.queue[:3], batches[3]) and torch.equal(km.queue[3], batches[2][0])
    state = {k: v.clone() for k, v in km.state_dict().items()}
    assert set(state) == {'centroids', 'queue', 'queue_len', 'num_steps', 'num_fits'}
    ref = [km.step(b) for b in batches[4:]]
    resumed = OnlineKMeans(num_clusters=2, dim=2, queue_size=4, refit_interval=3)
    resumed.load_state_dict(state)
    again = [resumed.step(b) for b in batches[4:]]
    assert all(torch.equal(a, b) for a, b in zip(ref, again))
    assert torch.equal(resumed.centroids, km.centroids)
    km.reset()
    assert not km.initialized and int(km.queue_len) == 0


def test_kmeans_buffers_are_in_the_model_checkpoint():
    model = MODELS.build(tiny_mcn_cfg())
    model(_inputs(), mode='loss')
    state = model.state_dict()
    assert int(state['kmeans.num_steps']) == 1 and state['kmeans.centroids'].abs().sum() > 0
    fresh = MODELS.build(tiny_mcn_cfg())
    fresh.load_state_dict(state)
    assert torch.equal(fresh.kmeans.centroids, model.kmeans.centroids)
