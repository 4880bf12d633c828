# Referring expression comprehension (seed 004) on the synthetic RefCOCO set:
# token cross-entropy with one-hot labels; Acc@0.5 and mIoU.
# CPU-sized twin of ce_onehot.py; its 2x2 siblings differ only in the
# `loss` / `label_encoder` lines.
_base_ = [
    '../_base_/models/vision_seq2seq_tiny.py',
    '../_base_/datasets/refcoco_toy.py',
    '../_base_/schedules/adamw_epochs.py',
    '../_base_/default_runtime.py',
]

model = dict(
    tokenizer={{_base_.tokenizer}},
    loss=dict(type='TokenCrossEntropyLoss'),
    label_encoder=dict(type='OneHotLabelEncoder'),
)

optim_wrapper = dict(optimizer=dict(lr=1e-3))
train_cfg = dict(max_epochs=30, val_interval=10)
default_hooks = dict(checkpoint=dict(interval=10))
