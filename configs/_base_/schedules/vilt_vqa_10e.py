# ViLT's VQA fine-tuning schedule: AdamW lr 1e-4 (x10 for the answer head),
# weight decay 0.01, 10 epochs, 10% linear warm-up then linear decay to 0.
_base_ = ['./adamw_epochs.py']

optim_wrapper = dict(
    optimizer=dict(lr=1e-4, weight_decay=0.01),
    paramwise_cfg=dict(custom_keys={'vilt.classifier': dict(lr_mult=10.0)}),
)
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1e-3,
        by_epoch=True,
        begin=0,
        end=1,
        convert_to_iter_based=True,
    ),
    dict(
        type='LinearLR',
        start_factor=1.0,
        end_factor=0.0,
        by_epoch=True,
        begin=1,
        end=10,
        convert_to_iter_based=True,
    ),
]
train_cfg = dict(max_epochs=10, val_interval=1)
