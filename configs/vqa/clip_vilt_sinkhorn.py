# Local alignment on CLIP+ViLT: the (1 - cosine) cost between CLIP's patch
# features and question-token features, transported by the entropic OT plan
# (log-domain Sinkhorn, plan without gradient), minus the same for mismatched
# pairs (UNITER's form; matched pairs alone can collapse to 0).
#   tools/dist_train.sh configs/vqa/clip_vilt_sinkhorn.py 8
_base_ = ['./clip_vilt.py']

model = dict(
    local_align_loss=dict(type='SinkhornAlignLoss', epsilon=0.05, num_iters=50, negatives=True)
)
