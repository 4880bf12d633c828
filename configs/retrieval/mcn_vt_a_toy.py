# CPU-sized twin of mcn_vt_a.py: the toy MCN with the modality schedule VT_A.
_base_ = ['./mcn_one_stage_toy.py', '../_base_/schedules/modality_vt_a.py']
