# MCN with the two-stage modality schedule AT_V (schedules/modality_at_v.py).
#   tools/dist_train.sh configs/retrieval/mcn_at_v.py 8
_base_ = ['./mcn_one_stage.py', '../_base_/schedules/modality_at_v.py']
