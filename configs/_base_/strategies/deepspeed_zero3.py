# DeepSpeed ZeRO stage 3 (parameters sharded too); see deepspeed_zero2.py.
runner_type = 'FlexibleRunner'
strategy = dict(
    type='DeepSpeedStrategy',
    zero_optimization=dict(
        stage=3,
        overlap_comm=True,
        contiguous_gradients=True,
        stage3_gather_16bit_weights_on_model_save=True,
    ),
    bf16=dict(enabled=False),
)
optim_wrapper = dict(type='DeepSpeedOptimWrapper')
