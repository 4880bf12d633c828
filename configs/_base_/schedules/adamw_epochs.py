# AdamW with a linear warm-up over the first iterations and a cosine decay over
# all epochs (its `end` defaults to train_cfg.max_epochs), resumable mid-epoch.
optim_wrapper = dict(
    type='OptimWrapper',
    # the optimizer holds only trainable parameters (frozen_modules, LoRA)
    constructor='TrainableParamsOptimWrapperConstructor',
    optimizer=dict(type='AdamW', lr=1e-4, weight_decay=0.01),
    clip_grad=dict(max_norm=1.0),
)

param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=50),
    dict(
        type='CosineAnnealingLR',
        by_epoch=True,
        begin=0,
        eta_min_ratio=0.05,
        convert_to_iter_based=True,
    ),
]

train_cfg = dict(type='ResumableEpochBasedTrainLoop', max_epochs=10, val_interval=1)
checkpoint_interval = 1  # epochs (default_runtime.py's CheckpointHook reads it)
val_cfg = dict()
test_cfg = dict()
