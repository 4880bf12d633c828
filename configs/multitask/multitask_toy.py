# Stage 2 of 3 on the toy set (CPU-sized twin of multitask.py), from the last
# checkpoint of pretrain_span_toy.py. Next: hoi_finetune_toy.py.
_base_ = [
    '../_base_/models/vision_seq2seq_tiny.py',
    '../_base_/datasets/multitask_toy.py',
    '../_base_/losses/token_ce.py',
    '../_base_/label_encoders/one_hot.py',
    '../_base_/schedules/multitask_10e.py',
    '../_base_/default_runtime.py',
]

load_from = '${last_checkpoint:work_dirs/multitask/pretrain_span_toy}'
optim_wrapper = dict(optimizer=dict(lr=1e-3))
