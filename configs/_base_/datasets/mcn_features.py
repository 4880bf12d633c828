# MCN data: HowTo100M features for training; zero-shot text->video retrieval
# on the YouCook2 and MSR-VTT feature pickles of AVLnet / MCN (docs/retrieval.md):
#   data/howto100m/HowTo100M_1166_videopaths.txt    CSV, header `path`
#   data/howto100m/features/<path>/<id>_{2d,3d}.npz, features_audio/<path>/<id>_spec.npz
#   data/howto100m/caption.pickle
#   data/mcn_eval/youcook_val_audio.pkl, data/mcn_eval/msrvtt_jsfusion_test.pkl
#   data/word2vec/GoogleNews-vectors-negative300.bin (or a cut of it, .npz)
data_root = 'data/howto100m'
word_vectors = 'data/word2vec/GoogleNews-vectors-negative300.bin'

train_pipeline = [
    dict(type='CropAudio', max_frames=1000),
    dict(type='CaptionToWordVectors', word_vectors=word_vectors, max_words=20),
    dict(type='PackFeatureInputs'),
]
# MCN pads YouCook2 audio to 5 x 1024 frames, MSR-VTT to 3 x 1024
youcook_pipeline = [
    dict(type='CropAudio', max_frames=5 * 1024),
    dict(type='CaptionToWordVectors', word_vectors=word_vectors, max_words=20),
    dict(type='PackFeatureInputs'),
]
msrvtt_pipeline = [
    dict(type='CropAudio', max_frames=3 * 1024),
    dict(type='CaptionToWordVectors', word_vectors=word_vectors, max_words=20),
    dict(type='PackFeatureInputs'),
]

# MCN: 128 videos x 32 clips = 4096 clips per step (here: clips, 8 GPUs x 512)
train_dataloader = dict(
    batch_size=512, num_workers=8, drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='feature_collate'),
    dataset=dict(type='HowTo100MFeatureDataset', data_root=data_root,
                 ann_file='HowTo100M_1166_videopaths.txt',
                 caption_file='caption.pickle',
                 data_prefix=dict(video='features', audio='features_audio'),
                 video_dims=(2048, 2048), min_time=10.0,
                 pipeline=train_pipeline))

youcook2 = dict(type='MCNEvalFeatureDataset', data_root='data/mcn_eval',
                ann_file='youcook_val_audio.pkl', feature_format='youcook2',
                video_dims=(2048, 2048), pipeline=youcook_pipeline, test_mode=True)
msrvtt = dict(type='MCNEvalFeatureDataset', data_root='data/mcn_eval',
              ann_file='msrvtt_jsfusion_test.pkl', feature_format='msrvtt',
              video_dims=(2048, 2048), pipeline=msrvtt_pipeline, test_mode=True)
# both evaluation sets in one pass; the metric ranks within each (group_by)
val_dataloader = dict(
    batch_size=256, num_workers=4,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='feature_collate'),
    dataset=dict(type='ConcatDataset', datasets=[youcook2, msrvtt]))
test_dataloader = val_dataloader

# text -> video+audio (MCN's evaluation); MSR-VTT 1k-A: 968 clips with audio
# out of 1000, the missing ones count as failures
val_evaluator = dict(type='RetrievalRecall', query='text', gallery=('video', 'audio'),
                     group_by='source', num_queries=dict(msrvtt=1000))
test_evaluator = val_evaluator
