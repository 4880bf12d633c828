# Stage 1 of 3 on the toy set (CPU-sized twin of pretrain_span.py).
# Next: multitask_toy.py.
_base_ = [
    '../_base_/models/vision_seq2seq_tiny.py',
    '../_base_/datasets/multitask_toy.py',
    '../_base_/losses/token_ce.py',
    '../_base_/label_encoders/one_hot.py',
    '../_base_/schedules/pretrain_5e.py',
    '../_base_/default_runtime.py',
]

train_tasks = ['${span_masking}']
task_batch_size = dict(_delete_=True)  # one task: batches of the loader's batch_size
val_dataloader = val_evaluator = val_cfg = None
optim_wrapper = dict(optimizer=dict(lr=1e-3))
