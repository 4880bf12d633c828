# CPU-sized twin of ce_distlabel.py: the same loss and label encoder on the tiny
# model, the toy HOI set and the toy schedule.
_base_ = [
    '../_base_/models/vision_seq2seq_tiny.py',
    '../_base_/datasets/hoi_toy.py',
    '../_base_/losses/token_ce.py',
    '../_base_/label_encoders/distance.py',
    '../_base_/schedules/toy_12e.py',
    '../_base_/default_runtime.py',
]
