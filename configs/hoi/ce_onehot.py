# HOI (seed 000) with location targets (seed 004) on V-COCO: token cross-entropy
# with one-hot labels. Macro F1 over the 29 action-role classes for the
# relation questions, Acc@0.5 / mIoU for the object localisation queries.
# Its 2x2 siblings differ only in the `loss` / `label_encoder` lines.
#   tools/dist_train.sh configs/hoi/ce_onehot.py 4
_base_ = [
    '../_base_/models/vision_seq2seq_base.py',
    '../_base_/datasets/hoi_vcoco.py',
    '../_base_/schedules/adamw_epochs.py',
    '../_base_/default_runtime.py',
]

model = dict(
    tokenizer={{_base_.tokenizer}},
    loss=dict(type='TokenCrossEntropyLoss'),
    label_encoder=dict(type='OneHotLabelEncoder'),
)

train_dataloader = dict(batch_size=16, num_workers=4)
optim_wrapper = dict(optimizer=dict(lr=5e-5))
train_cfg = dict(max_epochs=20, val_interval=2)
