# Stage 3 of 3: HOI fine-tuning from the last checkpoint of multitask.py, with
# the vision encoder and the lower 6 encoder layers frozen (only part of the
# model trains); HOI batches of 16, mixed relation / localisation samples.
#   tools/dist_train.sh configs/multitask/hoi_finetune.py 8
_base_ = [
    '../_base_/models/vision_seq2seq_base.py',
    '../_base_/datasets/multitask.py',
    '../_base_/losses/token_ce.py',
    '../_base_/label_encoders/one_hot.py',
    '../_base_/schedules/finetune_10e.py',
    '../_base_/default_runtime.py',
]

model = dict(frozen_modules=['vision_encoder', 'language_model.model.encoder.layers.[0-5]'])
train_dataloader = dict(
    _delete_=True,
    batch_size=16,
    num_workers=0,
    dataset='${hoi_train}',
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='vl_collate'),
)
load_from = '${last_checkpoint:work_dirs/multitask/multitask}'
