# The synthetic V/A/T features (vltoolkit/datasets/toy/mcn_toy.py) in MCN's
# formats: HowTo100M-style training clips, YouCook2- and MSR-VTT-layout
# evaluation pickles. Prepare: python tools/data/make_toy_mcn.py --out data/toy_mcn
data_root = 'data/toy_mcn'
word_vectors = data_root + '/word_vectors.txt'

pipeline = [
    dict(type='CropAudio', max_frames=300),
    dict(type='CaptionToWordVectors', word_vectors=word_vectors, max_words=20),
    dict(type='PackFeatureInputs'),
]

train_dataloader = dict(
    batch_size=32, num_workers=0, drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='feature_collate'),
    dataset=dict(type='HowTo100MFeatureDataset', data_root=data_root,
                 ann_file='train.csv', caption_file='caption.pickle',
                 data_prefix=dict(video='features', audio='features_audio'),
                 video_dims=(32, 32), min_time=2.0, cache_videos=128,
                 pipeline=pipeline))

youcook2 = dict(type='MCNEvalFeatureDataset', data_root=data_root,
                ann_file='youcook_val.pkl', feature_format='youcook2',
                video_dims=(32, 32), pipeline=pipeline, test_mode=True)
msrvtt = dict(type='MCNEvalFeatureDataset', data_root=data_root,
              ann_file='msrvtt_test.pkl', feature_format='msrvtt',
              video_dims=(32, 32), pipeline=pipeline, test_mode=True)
val_dataloader = dict(
    batch_size=100, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='feature_collate'),
    dataset=dict(type='ConcatDataset', datasets=[youcook2, msrvtt]))
test_dataloader = val_dataloader

val_evaluator = dict(type='RetrievalRecall', query='text', gallery=('video', 'audio'),
                     group_by='source')
test_evaluator = val_evaluator
