# CPU-sized twin of gem_distlabel.py: the same loss and label encoder on the tiny
# model, the toy RefCOCO set and the toy schedule.
_base_ = [
    '../_base_/models/vision_seq2seq_tiny.py',
    '../_base_/datasets/refcoco_toy.py',
    '../_base_/losses/gem.py',
    '../_base_/label_encoders/distance.py',
    '../_base_/schedules/toy_16e.py',
    '../_base_/default_runtime.py',
]
