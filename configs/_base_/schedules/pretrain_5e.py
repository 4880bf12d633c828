# Span-masking pre-training: AdamW lr 5e-5, 5 epochs, a checkpoint at the end.
_base_ = ['./adamw_epochs.py']

optim_wrapper = dict(optimizer=dict(lr=5e-5))
train_cfg = dict(max_epochs=5)
checkpoint_interval = 5
