# ViLT whose visual embedding is CLIP ViT-B/32 (CLS + 49 patch tokens ->
# Linear + LayerNorm + learned position -> ViLT's transformer), no alignment
# loss; vilt_baseline.py's schedule, images at CLIP's 224x224.
#   tools/dist_train.sh configs/vqa/clip_vilt.py 8
_base_ = [
    '../_base_/models/clip_vilt_vqa_base.py',
    '../_base_/datasets/vqa_v2.py',
    '../_base_/schedules/vilt_vqa_10e.py',
    '../_base_/default_runtime.py',
]

img_scale = (224, 224)
# the new projection and position embedding learn at the head's rate
optim_wrapper = dict(
    paramwise_cfg=dict(
        custom_keys={'image_proj': dict(lr_mult=10.0), 'image_pos_embed': dict(lr_mult=10.0)}
    )
)
