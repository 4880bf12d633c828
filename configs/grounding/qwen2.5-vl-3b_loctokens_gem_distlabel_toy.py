# CPU twin of qwen2.5-vl-3b_loctokens_gem_distlabel.py: the tiny random Qwen2.5-VL-3B
# (tools/data/make_toy_vlm.py) on the toy set, the same loss and label encoder.
_base_ = [
    '../_base_/models/qwen2_5_vl_3b_loctokens_toy.py',
    '../_base_/datasets/refcoco_toy_vlm.py',
    '../_base_/losses/gem.py',
    '../_base_/label_encoders/distance.py',
    '../_base_/schedules/toy_12e.py',
    '../_base_/default_runtime.py',
]
# the tokenizer adds the location tokens the model fragment grows the embeddings for
tokenizer = dict(add_location_tokens=True)
