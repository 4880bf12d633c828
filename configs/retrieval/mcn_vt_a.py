# MCN with the two-stage modality schedule VT_A (schedules/modality_vt_a.py).
#   tools/dist_train.sh configs/retrieval/mcn_vt_a.py 8
_base_ = ['./mcn_one_stage.py', '../_base_/schedules/modality_vt_a.py']
