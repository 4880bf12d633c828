# MCN's two-stage modality schedule AT_V: A and T first, then V joins (epoch 15 of 30).
# Stage 1 trains the first two encoders (their contrastive, clustering and
# reconstruction terms); stage 2 adds the third (all three pairs).
custom_hooks = [
    dict(
        type='ModalityScheduleHook',
        by_epoch=True,
        stages=[
            dict(begin=0, modalities=['audio', 'text']),
            dict(begin=15, modalities=['video', 'audio', 'text']),
        ],
    ),
]
