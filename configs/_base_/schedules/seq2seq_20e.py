# Fine-tuning the pretrained OFA-like model (HOI, grounding): AdamW lr 5e-5,
# 20 epochs, validation every 2, a checkpoint every epoch.
_base_ = ['./adamw_epochs.py']

optim_wrapper = dict(optimizer=dict(lr=5e-5))
train_cfg = dict(max_epochs=20, val_interval=2)
