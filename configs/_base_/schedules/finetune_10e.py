# Fine-tuning from an earlier stage's checkpoint: AdamW lr 2e-5, 10 epochs,
# validation and a checkpoint every 5.
_base_ = ['./adamw_epochs.py']

optim_wrapper = dict(optimizer=dict(lr=2e-5))
train_cfg = dict(max_epochs=10, val_interval=5)
checkpoint_interval = 5
