# MCN (seed 001), two-stage VT_A on the toy features: video + text for
# epochs 0-14, then audio joins for epochs 15-29. CPU-sized twin of mcn_vt_a.py.
_base_ = ['./mcn_one_stage_toy.py']

custom_hooks = [
    dict(type='ModalityScheduleHook', by_epoch=True, stages=[
        dict(begin=0, modalities=['video', 'text']),
        dict(begin=15, modalities=['video', 'audio', 'text']),
    ]),
]
