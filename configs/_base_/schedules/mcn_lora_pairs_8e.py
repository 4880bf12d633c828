# LoRA per modality pair on a trained MCN: each 2-epoch stage trains one
# pair's adapters on that pair's losses, the last stage all three together;
# cosine decay without warm-up, 8 epochs, validation every 2.
_base_ = ['./adam_cosine_mcn.py']

custom_hooks = [
    dict(
        type='ModalityScheduleHook',
        by_epoch=True,
        stages=[
            dict(begin=0, modalities=['video', 'text']),  # adapters vt
            dict(begin=2, modalities=['video', 'audio']),  # adapters va
            dict(begin=4, modalities=['audio', 'text']),  # adapters at
            dict(begin=6, modalities=['video', 'audio', 'text']),  # all three
        ],
    ),
]
param_scheduler = [
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, eta_min=0.0, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=8, val_interval=2)
