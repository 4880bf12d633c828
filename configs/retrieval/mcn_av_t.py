# MCN (seed 001), two-stage AV_T: A and V first, then T joins (epoch 15 of 30).
# Stage 1 trains the audio/video encoders (their contrastive, clustering and
# reconstruction terms); stage 2 adds text (all three pairs).
#   tools/dist_train.sh configs/retrieval/mcn_av_t.py 8
_base_ = ['./mcn_one_stage.py']

custom_hooks = [
    dict(type='ModalityScheduleHook', by_epoch=True, stages=[
        dict(begin=0, modalities=['audio', 'video']),
        dict(begin=15, modalities=['video', 'audio', 'text']),
    ]),
]
