# Referring expression comprehension (seed 004) on RefCOCO (unc):
# GEM (Li et al. 2024; beta 0.7, linear) with distance-inverse labels over location tokens; Acc@0.5 and mIoU.
# Its 2x2 siblings differ only in the `loss` / `label_encoder` lines.
#   tools/dist_train.sh configs/grounding/gem_distlabel.py 4
_base_ = [
    '../_base_/models/vision_seq2seq_base.py',
    '../_base_/datasets/refcoco.py',
    '../_base_/schedules/adamw_epochs.py',
    '../_base_/default_runtime.py',
]

model = dict(
    tokenizer={{_base_.tokenizer}},
    loss=dict(type='GEMLoss', beta=0.7, h='linear'),
    label_encoder=dict(type='DistanceLabelEncoder', tokenizer={{_base_.tokenizer}},
                       power=2.0, scale=1.0, window=4, mix=0.0),
)

train_dataloader = dict(batch_size=16, num_workers=4)
optim_wrapper = dict(optimizer=dict(lr=5e-5))
train_cfg = dict(max_epochs=20, val_interval=2)
