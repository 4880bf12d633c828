# Multi-task training: one optimizer update accumulates one batch of each task,
# the loss normalised over all target tokens of the update (= one big mixed
# batch); AdamW lr 5e-5, 10 epochs, validation and a checkpoint every 5.
_base_ = ['./adamw_epochs.py']

optim_wrapper = dict(type='ExactAccumulationOptimWrapper', optimizer=dict(lr=5e-5))
train_cfg = dict(
    type='ExactAccumulationTrainLoop', update=dict(mode='per_task'), max_epochs=10, val_interval=5
)
checkpoint_interval = 5
