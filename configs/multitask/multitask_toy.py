# Multi-task training (seed 000) on the toy set: captioning, region captioning,
# categorisation and HOI in one model. Every batch comes from one task with its own
# batch size, and one optimizer update accumulates one batch of each task, with the
# loss normalised over all target tokens of the update (= one big mixed batch).
# Start from the span-masking pre-training with
#   --cfg-options load_from=work_dirs/pretrain_span_toy/epoch_5.pth
# CPU-sized twin of multitask.py.
_base_ = [
    '../_base_/models/vision_seq2seq_tiny.py',
    '../_base_/datasets/multitask_toy.py',
    '../_base_/schedules/adamw_epochs.py',
    '../_base_/default_runtime.py',
]

model = dict(tokenizer={{_base_.tokenizer}})
optim_wrapper = dict(type='ExactAccumulationOptimWrapper', optimizer=dict(lr=1e-3))
train_cfg = dict(type='ExactAccumulationTrainLoop', update=dict(mode='per_task'),
                 max_epochs=10, val_interval=5)
default_hooks = dict(checkpoint=dict(interval=5))
