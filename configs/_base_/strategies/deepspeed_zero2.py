# DeepSpeed ZeRO stage 2 (optimizer states and gradients sharded) through
# mmengine's DeepSpeedStrategy. Needs the optional `deepspeed` package
# (requirements/optional.txt). The recipe's clip_grad, accumulative_counts and
# train batch size are moved into the DeepSpeed config for you. Checkpoints are
# DeepSpeed folders: tools/model_converters/deepspeed_to_mmengine.py makes one
# ordinary file of them for tools/test.py or an unsharded run.
runner_type = 'FlexibleRunner'
strategy = dict(
    type='DeepSpeedStrategy',
    zero_optimization=dict(stage=2, overlap_comm=True, contiguous_gradients=True),
    # bf16: dict(enabled=True) here, and inputs_to_half=['inputs']
    bf16=dict(enabled=False),
)
optim_wrapper = dict(type='DeepSpeedOptimWrapper')
