# CPU-sized twin of gem_onehot.py: the same loss and label encoder on the tiny
# model, the toy HOI set and the toy schedule.
_base_ = [
    '../_base_/models/vision_seq2seq_tiny.py',
    '../_base_/datasets/hoi_toy.py',
    '../_base_/losses/gem.py',
    '../_base_/label_encoders/one_hot.py',
    '../_base_/schedules/toy_12e.py',
    '../_base_/default_runtime.py',
]
