# CPU-sized twin of clip_vilt_sinkhorn.py (Sinkhorn local alignment with
# mismatched-pair negatives).
_base_ = ['./clip_vilt_toy.py']

model = dict(
    local_align_loss=dict(type='SinkhornAlignLoss', epsilon=0.05, num_iters=50, negatives=True)
)
