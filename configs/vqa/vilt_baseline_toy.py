# VQA baseline of seed 002: ViLT (patch projection) + answer classifier, BCE
# against the VQA soft scores. CPU-sized twin of vilt_baseline.py on the toy set.
_base_ = [
    '../_base_/models/vilt_vqa_tiny.py',
    '../_base_/datasets/vqa_toy.py',
    '../_base_/schedules/adamw_epochs.py',
    '../_base_/default_runtime.py',
]

model = dict(tokenizer={{_base_.tokenizer}}, num_answers={{_base_.num_answers}})

optim_wrapper = dict(optimizer=dict(lr=1e-3))
train_cfg = dict(max_epochs=30, val_interval=5)
# log every iteration, unaveraged: the loss curves of plot_curves.py are raw
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=10))
log_processor = dict(window_size=1)
