# Toy schedule (a tiny model from scratch on a toy set): AdamW lr 1e-3,
# 30 epochs, validation every 10 epochs and a checkpoint every 10.
_base_ = ['./adamw_epochs.py']

optim_wrapper = dict(optimizer=dict(lr=1e-3))
train_cfg = dict(max_epochs=30, val_interval=10)
checkpoint_interval = 10
