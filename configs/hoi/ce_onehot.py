# HOI relation prompts (seed 000) on V-COCO: token cross-entropy with one-hot
# labels, macro F1 over the 29 action-role classes. 8 GPUs x 16 samples.
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
