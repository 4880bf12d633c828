# Span-masking pre-training (text infilling) on the toy captions: spans of the
# caption become <mask_i> sentinels and the decoder restores them.
# No validation. CPU-sized twin of pretrain_span.py.
_base_ = [
    '../_base_/models/vision_seq2seq_tiny.py',
    '../_base_/datasets/multitask_toy.py',
    '../_base_/schedules/adamw_epochs.py',
    '../_base_/default_runtime.py',
]

model = dict(tokenizer={{_base_.tokenizer}})
train_dataloader = dict(
    dataset=dict(datasets=[{{_base_.span_masking}}]),
    batch_sampler=dict(task_batch_size=dict(_delete_=True, span_masking=16)))
val_dataloader = None
val_evaluator = None
val_cfg = None
optim_wrapper = dict(optimizer=dict(lr=1e-3))
train_cfg = dict(max_epochs=5)
default_hooks = dict(checkpoint=dict(interval=5))
