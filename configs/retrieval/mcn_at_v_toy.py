# CPU-sized twin of mcn_at_v.py: the toy MCN with the modality schedule AT_V.
_base_ = ['./mcn_one_stage_toy.py', '../_base_/schedules/modality_at_v.py']
