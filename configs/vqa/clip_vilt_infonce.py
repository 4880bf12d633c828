# Seed 002: CLIP+ViLT plus InfoNCE (cosine, learnable temperature from 0.07,
# clamped to 100) between CLIP's image and text features before fusion;
# negatives come from the global batch (gradient-carrying all-gather).
#   tools/dist_train.sh configs/vqa/clip_vilt_infonce.py 8
_base_ = ['./clip_vilt.py']

model = dict(align_loss=dict(type='InfoNCELoss', similarity='cosine',
                             temperature=0.07, loss_weight=1.0))
