# Stage 3 of 3 on the toy set (CPU-sized twin of hoi_finetune.py), from the
# last checkpoint of multitask_toy.py; only the (2-block) vision encoder is frozen.
_base_ = [
    '../_base_/models/vision_seq2seq_tiny.py',
    '../_base_/datasets/multitask_toy.py',
    '../_base_/losses/token_ce.py',
    '../_base_/label_encoders/one_hot.py',
    '../_base_/schedules/finetune_10e.py',
    '../_base_/default_runtime.py',
]

model = dict(frozen_modules=['vision_encoder'])
train_dataloader = dict(
    _delete_=True,
    batch_size=16,
    num_workers=0,
    dataset='${hoi_train}',
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='vl_collate'),
)
load_from = '${last_checkpoint:work_dirs/multitask/multitask_toy}'
optim_wrapper = dict(optimizer=dict(lr=5e-4))
