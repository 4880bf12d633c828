# Seed 002: CLIP+ViLT plus InfoNCE (cosine similarity, learnable temperature
# from 0.07) between CLIP's image and text features before fusion.
# CPU-sized twin of clip_vilt_infonce.py; its siblings differ only in `align_loss`.
_base_ = ['./clip_vilt_toy.py']

model = dict(align_loss=dict(type='InfoNCELoss', similarity='cosine',
                             temperature=0.07, loss_weight=1.0))
