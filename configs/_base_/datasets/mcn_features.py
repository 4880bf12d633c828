# MCN data: HowTo100M features for training; zero-shot text->video retrieval
# on the YouCook2 and MSR-VTT feature pickles of AVLnet / MCN (docs/retrieval.md).
# Layout under data_root:
#   howto100m/HowTo100M_1166_videopaths.txt    CSV, header `path`
#   howto100m/features/<path>/<id>_{2d,3d}.npz, howto100m/features_audio/<path>/<id>_spec.npz
#   howto100m/caption.pickle
#   mcn_eval/youcook_val_audio.pkl, mcn_eval/msrvtt_jsfusion_test.pkl
#   word2vec/GoogleNews-vectors-negative300.bin (or a cut of it, .npz)
data_root = 'data'
train_root = '${data_root}/howto100m'
eval_root = '${data_root}/mcn_eval'
word_vectors = '${data_root}/word2vec/GoogleNews-vectors-negative300.bin'
video_dims = (2048, 2048)  # 2D + 3D feature widths
# audio frames kept per clip: MCN pads YouCook2 audio to 5 x 1024 frames, MSR-VTT to 3 x 1024
audio_frames = dict(train=1000, youcook2=5 * 1024, msrvtt=3 * 1024)


def pipeline(source):
    return [
        dict(type='CropAudio', max_frames=f'${{audio_frames.{source}}}'),
        dict(type='CaptionToWordVectors', word_vectors='${word_vectors}', max_words=20),
        dict(type='PackFeatureInputs'),
    ]


# MCN: 128 videos x 32 clips = 4096 clips per step (here: clips, 8 GPUs x 512)
train_dataloader = dict(
    batch_size=512,
    num_workers=8,
    drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='feature_collate'),
    dataset=dict(
        type='HowTo100MFeatureDataset',
        data_root='${train_root}',
        ann_file='HowTo100M_1166_videopaths.txt',
        caption_file='caption.pickle',
        data_prefix=dict(video='features', audio='features_audio'),
        video_dims='${video_dims}',
        min_time=10.0,
        pipeline=pipeline('train'),
    ),
)

youcook2 = dict(
    type='MCNEvalFeatureDataset',
    data_root='${eval_root}',
    ann_file='youcook_val_audio.pkl',
    feature_format='youcook2',
    video_dims='${video_dims}',
    pipeline=pipeline('youcook2'),
    test_mode=True,
)
msrvtt = dict(
    type='MCNEvalFeatureDataset',
    data_root='${eval_root}',
    ann_file='msrvtt_jsfusion_test.pkl',
    feature_format='msrvtt',
    video_dims='${video_dims}',
    pipeline=pipeline('msrvtt'),
    test_mode=True,
)
# both evaluation sets in one pass; the metric ranks within each (group_by)
val_dataloader = dict(
    batch_size=256,
    num_workers=4,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='feature_collate'),
    dataset=dict(type='ConcatDataset', datasets=['${youcook2}', '${msrvtt}']),
)
test_dataloader = val_dataloader

# text -> video+audio (MCN's evaluation); MSR-VTT 1k-A: 968 clips with audio
# out of 1000, the missing ones count as failures
val_evaluator = dict(
    type='RetrievalRecall',
    query='text',
    gallery=('video', 'audio'),
    group_by='source',
    num_queries=dict(msrvtt=1000),
)
test_evaluator = val_evaluator
