# CPU-sized twin of mcn_lora_pairs.py, from the last checkpoint of
# mcn_one_stage_toy.py.
_base_ = [
    '../_base_/models/mcn_toy.py',
    '../_base_/datasets/mcn_toy.py',
    '../_base_/schedules/mcn_lora_pairs_8e.py',
    '../_base_/default_runtime.py',
]

load_from = '${last_checkpoint:work_dirs/retrieval/mcn_one_stage_toy}'
model = dict(
    lora=dict(
        r=8,
        alpha=16,
        dropout=0.0,
        adapters='per_pair',
        target_modules=['encoders.*.gu.fc', 'encoders.*.gu.gate'],
    )
)
optim_wrapper = dict(optimizer=dict(lr=1e-3))
train_cfg = dict(val_interval=8)
checkpoint_interval = 8
default_hooks = dict(logger=dict(interval=15))
