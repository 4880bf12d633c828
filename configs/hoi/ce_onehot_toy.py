# HOI (seed 000) with location targets (seed 004): token cross-entropy with
# one-hot labels. Relation questions are scored by Macro F1, object
# localisation queries by Acc@0.5 / mIoU. CPU-sized twin of ce_onehot.py;
# its 2x2 siblings differ only in the `loss` / `label_encoder` lines.
_base_ = [
    '../_base_/models/vision_seq2seq_tiny.py',
    '../_base_/datasets/hoi_toy.py',
    '../_base_/schedules/adamw_epochs.py',
    '../_base_/default_runtime.py',
]

model = dict(
    tokenizer={{_base_.tokenizer}},
    loss=dict(type='TokenCrossEntropyLoss'),
    label_encoder=dict(type='OneHotLabelEncoder'),
)

optim_wrapper = dict(optimizer=dict(lr=1e-3))
train_cfg = dict(max_epochs=12, val_interval=6)
default_hooks = dict(checkpoint=dict(interval=6))
