# MCN's schedule: Adam lr 1e-4, a linear warm-up over the first 5,000
# iterations times a cosine decay to 0 over the whole run (MCN's
# get_cosine_schedule_with_warmup starts its cosine after the warm-up; with
# 30 epochs of HowTo100M the difference is negligible), epoch-based,
# resumable mid-epoch.
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-4))

param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=5000),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, eta_min=0.0, convert_to_iter_based=True),
]

train_cfg = dict(type='ResumableEpochBasedTrainLoop', max_epochs=30, val_interval=5)
checkpoint_interval = 1  # epochs (default_runtime.py's CheckpointHook reads it)
val_cfg = dict()
test_cfg = dict()
