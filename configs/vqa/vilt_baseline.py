# VQA v2 baseline of seed 002: ViLT-B/32 (patch projection) + answer classifier,
# BCE against the VQA soft scores. ViLT's fine-tuning recipe: global batch 256
# (8 GPUs x 32), AdamW lr 1e-4 (x10 for the head), weight decay 0.01, 10 epochs,
# 10% linear warm-up then linear decay.
#   tools/dist_train.sh configs/vqa/vilt_baseline.py 8
_base_ = [
    '../_base_/models/vilt_vqa_base.py',
    '../_base_/datasets/vqa_v2.py',
    '../_base_/schedules/adamw_epochs.py',
    '../_base_/default_runtime.py',
]

model = dict(tokenizer={{_base_.tokenizer}}, num_answers={{_base_.num_answers}})

train_dataloader = dict(batch_size=32)
optim_wrapper = dict(
    optimizer=dict(lr=1e-4, weight_decay=0.01),
    paramwise_cfg=dict(custom_keys={'vilt.classifier': dict(lr_mult=10.0)}))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='LinearLR', start_factor=1.0, end_factor=0.0, by_epoch=True, begin=1,
         end=10, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=10, val_interval=1)
