# CPU-sized twin of mcn_one_stage.py on the synthetic features of
# tools/data/make_toy.py mcn.
_base_ = [
    '../_base_/models/mcn_toy.py',
    '../_base_/datasets/mcn_toy.py',
    '../_base_/schedules/toy_mcn_30e.py',
    '../_base_/default_runtime.py',
]

default_hooks = dict(logger=dict(interval=15))
