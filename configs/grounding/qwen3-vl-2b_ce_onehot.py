# Qwen3-VL-2B on RefCOCO grounding, in its own answer format: boxes as JSON
# [{"bbox_2d": [x1, y1, x2, y2], "label": ...}] in 0..1000 of the image,
# prompts through its chat template, token cross-entropy on the answer (one-hot labels; the
# digit-level losses and added location tokens: docs/location_learning.md, section 3).
# Zero-shot baseline: python tools/test.py configs/grounding/qwen3-vl-2b_ce_onehot.py none
_base_ = [
    '../_base_/models/qwen3_vl_2b.py',
    '../_base_/datasets/refcoco_vlm.py',
    '../_base_/losses/token_ce.py',
    '../_base_/label_encoders/one_hot.py',
    '../_base_/schedules/vlm_finetune_10e.py',
    '../_base_/default_runtime.py',
]
