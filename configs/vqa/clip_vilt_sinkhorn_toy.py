# Seed 003 on seed 002's model: CLIP+ViLT plus a local alignment loss, the
# cost (1 - cosine) transported by the entropic OT plan (log-domain Sinkhorn)
# between CLIP's patch features and its question-token features, minus the
# same for mismatched pairs (UNITER's form: without it, mapping every feature
# to one direction drives the loss to 0). CPU-sized twin of clip_vilt_sinkhorn.py.
_base_ = ['./clip_vilt_toy.py']

model = dict(local_align_loss=dict(type='SinkhornAlignLoss', epsilon=0.05,
                                   num_iters=50, negatives=True,
                                   loss_weight=1.0))
