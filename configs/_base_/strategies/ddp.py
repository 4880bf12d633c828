# Data parallel through mmengine's FlexibleRunner (the same numbers as the
# plain Runner's DDP; here so that every strategy is one `_base_` line or
# `tools/train.py --strategy ddp`). On CPU, device_ids=None is set for you.
runner_type = 'FlexibleRunner'
strategy = dict(
    type='DDPStrategy',
    model_wrapper=dict(
        type='MMDistributedDataParallel', broadcast_buffers=False, find_unused_parameters=False
    ),
)
