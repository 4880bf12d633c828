# Runtime shared by every recipe: scope, hooks, logging, environment.
default_scope = 'vltoolkit'

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=10),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # every schedule fragment sets `checkpoint_interval` (epochs)
    checkpoint=dict(type='CheckpointHook', interval='${checkpoint_interval}', max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    # done/total, rate, ETA: a live bar in a terminal, plain lines otherwise
    # (VLT_PROGRESS=auto|rich|plain|off, docs/progress_and_tracking.md)
    progress=dict(type='RichProgressHook'),
    # the first 4 samples of every validation, drawn, to the trackers
    val_visualization=dict(type='ValVisualizationHook', num_samples=4),
    # SIGTERM / SIGUSR1 (Slurm preemption, time limit): save iter_N.pth after
    # the current iteration and exit with code 75; --resume continues
    # (docs/distributed.md)
    preemption=dict(type='PreemptionHook'),
)

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # nccl on GPUs; tools/ switch to gloo on CPU-only machines
    # seconds a collective waits for a silent rank before the run fails
    # (docs/reliability.md): 15 min, half of torch's default
    dist_cfg=dict(backend='nccl', timeout=900),
)

# LocalVisBackend writes <work_dir>/<timestamp>/vis_data/scalars.json (read by
# tools/analysis/plot_curves.py); TensorBoard event files go next to it
# (tensorboard --logdir work_dirs). W&B / MLflow: train.py --vis-backend
# tensorboard wandb mlflow (docs/progress_and_tracking.md)
vis_backends = [dict(type='LocalVisBackend'), dict(type='TensorboardVisBackend')]
visualizer = dict(type='VLVisualizer', vis_backends=vis_backends)

log_processor = dict(type='LogProcessor', window_size=10, by_epoch=True)
log_level = 'INFO'
# a checkpoint to start from (chained recipes: '${last_checkpoint:WORK_DIR}')
load_from = None
resume = False
# a fixed seed makes the shuffling of every epoch (seed + epoch) reproducible,
# which exact mid-epoch resume relies on
randomness = dict(seed=0, deterministic=False)
