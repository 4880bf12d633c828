# HOI fine-tuning (seed 000) from the multi-task checkpoint, with the vision encoder
# frozen (partial freezing: only part of the model trains).
#   python tools/train.py configs/multitask/hoi_finetune_toy.py \
#       --cfg-options load_from=work_dirs/multitask_toy/epoch_10.pth
# CPU-sized twin of hoi_finetune.py.
_base_ = [
    '../_base_/models/vision_seq2seq_tiny.py',
    '../_base_/datasets/multitask_toy.py',
    '../_base_/schedules/adamw_epochs.py',
    '../_base_/default_runtime.py',
]

model = dict(tokenizer={{_base_.tokenizer}}, frozen_modules=['vision_encoder'])
train_dataloader = dict(_delete_=True, batch_size=16, num_workers=0,
                        sampler=dict(type='DefaultSampler', shuffle=True),
                        collate_fn=dict(type='vl_collate'),
                        dataset={{_base_.hoi_train}})
load_from = 'work_dirs/multitask_toy/epoch_10.pth'
optim_wrapper = dict(optimizer=dict(lr=5e-4))
train_cfg = dict(max_epochs=10, val_interval=5)
default_hooks = dict(checkpoint=dict(interval=5))
