# MCN with the two-stage modality schedule AV_T (schedules/modality_av_t.py).
#   tools/dist_train.sh configs/retrieval/mcn_av_t.py 8
_base_ = ['./mcn_one_stage.py', '../_base_/schedules/modality_av_t.py']
