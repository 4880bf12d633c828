# MCN (seed 001) baseline, one stage (V, A, T together): CPU-sized twin of
# mcn_one_stage.py on the synthetic features of tools/data/make_toy_mcn.py.
_base_ = [
    '../_base_/models/mcn_toy.py',
    '../_base_/datasets/mcn_toy.py',
    '../_base_/schedules/adam_cosine_mcn.py',
    '../_base_/default_runtime.py',
]
optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=30),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, eta_min=0.0,
         convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=30, val_interval=15)
default_hooks = dict(logger=dict(interval=15), checkpoint=dict(interval=15))
