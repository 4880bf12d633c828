# CPU twin of qwen3-vl-2b_ce_onehot.py: a tiny random Qwen3-VL-2B (same architecture; its
# tokenizer splits numbers into single digits; tools/data/make_toy_vlm.py) on the toy set.
_base_ = [
    '../_base_/models/qwen3_vl_2b_toy.py',
    '../_base_/datasets/hoi_toy_vlm.py',
    '../_base_/losses/token_ce.py',
    '../_base_/label_encoders/one_hot.py',
    '../_base_/schedules/toy_12e.py',
    '../_base_/default_runtime.py',
]
