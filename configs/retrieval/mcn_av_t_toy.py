# CPU-sized twin of mcn_av_t.py: the toy MCN with the modality schedule AV_T.
_base_ = ['./mcn_one_stage_toy.py', '../_base_/schedules/modality_av_t.py']
