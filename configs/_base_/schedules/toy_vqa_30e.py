# Toy VQA schedule (tiny models from scratch): AdamW lr 1e-3 with the warm-up
# and cosine decay of adamw_epochs.py, 30 epochs, validation every 5, a
# checkpoint every 10.
_base_ = ['./adamw_epochs.py']

optim_wrapper = dict(optimizer=dict(lr=1e-3))
train_cfg = dict(max_epochs=30, val_interval=5)
checkpoint_interval = 10
