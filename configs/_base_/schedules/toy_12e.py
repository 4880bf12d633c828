# Toy schedule (the tiny model from scratch on the toy HOI / RefCOCO sets):
# AdamW lr 1e-3, 12 epochs, validation and a checkpoint every 6.
_base_ = ['./adamw_epochs.py']

optim_wrapper = dict(optimizer=dict(lr=1e-3))
train_cfg = dict(max_epochs=12, val_interval=6)
checkpoint_interval = 6
