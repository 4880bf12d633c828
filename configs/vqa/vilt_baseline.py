# VQA v2 baseline: ViLT-B/32 (patch projection) + answer classifier, BCE
# against the VQA soft scores, with ViLT's fine-tuning recipe (global batch
# 256 = 8 GPUs x 32, AdamW lr 1e-4, x10 for the head, 10 epochs).
#   tools/dist_train.sh configs/vqa/vilt_baseline.py 8
_base_ = [
    '../_base_/models/vilt_vqa_base.py',
    '../_base_/datasets/vqa_v2.py',
    '../_base_/schedules/vilt_vqa_10e.py',
    '../_base_/default_runtime.py',
]
