# MCN (seed 001), two-stage AV_T on the toy features: audio + video for
# epochs 0-14, then text joins for epochs 15-29. CPU-sized twin of mcn_av_t.py.
_base_ = ['./mcn_one_stage_toy.py']

custom_hooks = [
    dict(type='ModalityScheduleHook', by_epoch=True, stages=[
        dict(begin=0, modalities=['audio', 'video']),
        dict(begin=15, modalities=['video', 'audio', 'text']),
    ]),
]
