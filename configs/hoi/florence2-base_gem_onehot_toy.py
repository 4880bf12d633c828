# CPU twin of florence2-base_gem_onehot.py: a tiny random Florence-2-base (same architecture; its
# tokenizer
# holds the native location tokens; tools/data/make_toy_vlm.py) on the toy set.
_base_ = [
    '../_base_/models/florence2_base_toy.py',
    '../_base_/datasets/hoi_toy_vlm.py',
    '../_base_/losses/gem.py',
    '../_base_/label_encoders/one_hot.py',
    '../_base_/schedules/toy_12e.py',
    '../_base_/default_runtime.py',
]
