"""Tiny MCN model / data configs shared by the MCN, LoRA and hook tests."""

import os.path as osp

from vltoolkit.datasets.toy import make_toy_mcn

TINY_DIMS = dict(dim_2d=6, dim_3d=6, we_dim=8)


def make_tiny_toy(root, seed=0, videos=4, segments=4, num_eval=6):
    """A toy MCN set small enough for unit tests (< 1 s)."""
    make_toy_mcn(
        str(root),
        num_train_videos=videos,
        segments_per_video=segments,
        num_eval=num_eval,
        latent_dim=4,
        num_topics=3,
        vocab_size=20,
        seed=seed,
        **TINY_DIMS,
    )
    return str(root)


def pipeline(root):
    return [
        dict(type='CropAudio', max_frames=120),
        dict(
            type='CaptionToWordVectors',
            word_vectors=osp.join(root, 'word_vectors.txt'),
            max_words=10,
        ),
        dict(type='PackFeatureInputs'),
    ]


def train_dataset_cfg(root, **kw):
    cfg = dict(
        type='HowTo100MFeatureDataset',
        data_root=root,
        ann_file='train.csv',
        caption_file='caption.pickle',
        data_prefix=dict(video='features', audio='features_audio'),
        video_dims=(6, 6),
        min_time=2.0,
        pipeline=pipeline(root),
        serialize_data=False,
    )
    cfg.update(kw)
    return cfg


def eval_dataset_cfg(root, fmt='youcook2', **kw):
    cfg = dict(
        type='MCNEvalFeatureDataset',
        data_root=root,
        ann_file='youcook_val.pkl' if fmt == 'youcook2' else 'msrvtt_test.pkl',
        feature_format=fmt,
        pipeline=pipeline(root),
        test_mode=True,
        serialize_data=False,
    )
    cfg.update(kw)
    return cfg


def tiny_mcn_cfg(**kw):
    cfg = dict(
        type='MCN',
        embed_dim=8,
        encoders=dict(
            video=dict(type='VideoFeatureEncoder', in_dim=12),
            audio=dict(
                type='DAVEnetAudioEncoder', n_mels=40, channels=(4, 8), blocks_per_stage=1, kernel=3
            ),
            text=dict(type='SentenceMaxpoolEncoder', we_dim=8),
        ),
        reconstruction_loss=dict(type='FeatureReconstructionLoss', loss_weight=1.0),
        kmeans=dict(num_clusters=3, queue_size=8, refit_interval=2),
        recon_hidden=8,
    )
    cfg.update(kw)
    return cfg
