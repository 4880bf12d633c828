# CPU-sized twin of clip_vilt_infonce_dot.py (dot-product InfoNCE, temperature 1).
_base_ = ['./clip_vilt_toy.py']

model = dict(
    align_loss=dict(type='InfoNCELoss', similarity='dot', temperature=1.0, learnable_scale=False)
)
