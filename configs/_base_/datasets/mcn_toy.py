# The synthetic V/A/T features (vltoolkit/datasets/toy/mcn_toy.py) in MCN's
# formats, all under data_root: HowTo100M-style training clips (train.csv,
# caption.pickle, features/, features_audio/), YouCook2- and MSR-VTT-layout
# evaluation pickles and 32-d word vectors. Prepare (configs/retrieval/README.md):
#   python tools/data/make_toy.py mcn --out data/toy_mcn
_base_ = ['./mcn_features.py']

data_root = 'data/toy_mcn'
train_root = '${data_root}'
eval_root = '${data_root}'
word_vectors = '${data_root}/word_vectors.txt'
video_dims = (32, 32)
audio_frames = dict(train=300, youcook2=300, msrvtt=300)
train_dataloader = dict(
    batch_size=32, num_workers=0, dataset=dict(ann_file='train.csv', min_time=2.0, cache_videos=128)
)
youcook2 = dict(ann_file='youcook_val.pkl')
msrvtt = dict(ann_file='msrvtt_test.pkl')
val_dataloader = dict(batch_size=100, num_workers=0)
test_dataloader = val_dataloader
# every toy caption has its clip: no missing queries to count
val_evaluator = dict(
    _delete_=True,
    type='RetrievalRecall',
    query='text',
    gallery=('video', 'audio'),
    group_by='source',
)
test_evaluator = val_evaluator
