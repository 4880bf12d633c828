# CPU twin of qwen2.5-vl-3b_gem_digitdist.py: the tiny random Qwen2.5-VL-3B
# (tools/data/make_toy_vlm.py) on the toy set, the same loss and label encoder.
_base_ = [
    '../_base_/models/qwen2_5_vl_3b_toy.py',
    '../_base_/datasets/refcoco_toy_vlm.py',
    '../_base_/losses/gem.py',
    '../_base_/label_encoders/digit_distance.py',
    '../_base_/schedules/toy_12e.py',
    '../_base_/default_runtime.py',
]
