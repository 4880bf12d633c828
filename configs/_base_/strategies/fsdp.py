# Fully sharded data parallel (PyTorch FSDP through mmengine's FSDPStrategy):
# parameters, gradients and optimizer states sharded over the ranks; every
# submodule with >= 1e7 parameters (a ViT-L / BART-large block stack) is its
# own FSDP unit. Checkpoints are gathered on rank 0 into one ordinary file
# (state_dict_cfg='full'), which an unsharded run and tools/test.py load as is.
# clip_grad uses the global norm over all shards (vltoolkit's Sharded*
# optimizer wrappers, picked for you). On CPU the ranks run FSDP over gloo.
runner_type = 'FlexibleRunner'
strategy = dict(
    type='FSDPStrategy',
    model_wrapper=dict(
        type='MMFullyShardedDataParallel',
        use_orig_params=True,  # frozen and trained parameters may share a unit
        auto_wrap_policy=dict(
            type='torch.distributed.fsdp.wrap.size_based_auto_wrap_policy', min_num_params=int(1e7)
        ),
    ),
    state_dict_cfg='full',
)
