# HOI fine-tuning (seed 000) from the multi-task checkpoint, with the vision encoder
# and the lower encoder layers frozen (partial freezing: only part of the model trains).
#   python tools/train.py configs/multitask/hoi_finetune.py \
#       --cfg-options load_from=work_dirs/multitask/epoch_10.pth
_base_ = [
    '../_base_/models/vision_seq2seq_base.py',
    '../_base_/datasets/multitask.py',
    '../_base_/schedules/adamw_epochs.py',
    '../_base_/default_runtime.py',
]

model = dict(tokenizer={{_base_.tokenizer}}, frozen_modules=['vision_encoder', 'language_model.model.encoder.layers.[0-5]'])
train_dataloader = dict(_delete_=True, batch_size=16, num_workers=0,
                        sampler=dict(type='DefaultSampler', shuffle=True),
                        collate_fn=dict(type='vl_collate'),
                        dataset={{_base_.hoi_train}})
load_from = 'work_dirs/multitask/epoch_10.pth'
optim_wrapper = dict(optimizer=dict(lr=2e-5))
train_cfg = dict(max_epochs=10, val_interval=5)
default_hooks = dict(checkpoint=dict(interval=5))
