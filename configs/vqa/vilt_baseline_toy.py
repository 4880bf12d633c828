# CPU-sized twin of vilt_baseline.py: the tiny ViLT on the toy VQA set.
_base_ = [
    '../_base_/models/vilt_vqa_tiny.py',
    '../_base_/datasets/vqa_toy.py',
    '../_base_/schedules/toy_vqa_30e.py',
    '../_base_/default_runtime.py',
]

# log every iteration, unaveraged: the loss curves of plot_curves.py are raw
default_hooks = dict(logger=dict(interval=1))
log_processor = dict(window_size=1)
