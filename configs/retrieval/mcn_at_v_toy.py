# MCN (seed 001), two-stage AT_V on the toy features: audio + text for
# epochs 0-14, then video joins for epochs 15-29. CPU-sized twin of mcn_at_v.py.
_base_ = ['./mcn_one_stage_toy.py']

custom_hooks = [
    dict(type='ModalityScheduleHook', by_epoch=True, stages=[
        dict(begin=0, modalities=['audio', 'text']),
        dict(begin=15, modalities=['video', 'audio', 'text']),
    ]),
]
