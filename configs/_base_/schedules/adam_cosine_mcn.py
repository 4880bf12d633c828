# MCN's schedule: Adam lr 1e-4, linear warm-up (5,000 iterations) then cosine
# decay to 0 over the run, epoch-based, resumable mid-epoch.
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-4))

param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=5000),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, eta_min=0.0,
         convert_to_iter_based=True),
]

train_cfg = dict(type='ResumableEpochBasedTrainLoop', max_epochs=30, val_interval=5)
val_cfg = dict()
test_cfg = dict()
