# MCN (seed 001), two-stage VT_A: V and T first, then A joins (epoch 15 of 30).
# Stage 1 trains the video/text encoders (their contrastive, clustering and
# reconstruction terms); stage 2 adds audio (all three pairs).
#   tools/dist_train.sh configs/retrieval/mcn_vt_a.py 8
_base_ = ['./mcn_one_stage.py']

custom_hooks = [
    dict(type='ModalityScheduleHook', by_epoch=True, stages=[
        dict(begin=0, modalities=['video', 'text']),
        dict(begin=15, modalities=['video', 'audio', 'text']),
    ]),
]
