# Seed 002's modified InfoNCE: the raw dot product of CLIP's image and text
# features instead of the cosine (no L2 normalisation), fixed temperature 1.
# CPU-sized twin of clip_vilt_infonce_dot.py.
_base_ = ['./clip_vilt_toy.py']

model = dict(align_loss=dict(type='InfoNCELoss', similarity='dot',
                             temperature=1.0, learnable_scale=False,
                             loss_weight=1.0))
