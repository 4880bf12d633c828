# Toy MCN schedule: MCN's Adam + cosine at lr 1e-3 with a 30-iteration warm-up,
# 30 epochs, validation and a checkpoint every 15.
_base_ = ['./adam_cosine_mcn.py']

optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=30),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, eta_min=0.0, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=30, val_interval=15)
checkpoint_interval = 15
