# MCN (seed 001), two-stage AT_V: A and T first, then V joins (epoch 15 of 30).
# Stage 1 trains the audio/text encoders (their contrastive, clustering and
# reconstruction terms); stage 2 adds video (all three pairs).
#   tools/dist_train.sh configs/retrieval/mcn_at_v.py 8
_base_ = ['./mcn_one_stage.py']

custom_hooks = [
    dict(type='ModalityScheduleHook', by_epoch=True, stages=[
        dict(begin=0, modalities=['audio', 'text']),
        dict(begin=15, modalities=['video', 'audio', 'text']),
    ]),
]
