# The modified InfoNCE: the raw dot product of CLIP's projected image and
# text features instead of the cosine (no L2 normalisation), fixed temperature 1.
#   tools/dist_train.sh configs/vqa/clip_vilt_infonce_dot.py 8
_base_ = ['./clip_vilt.py']

model = dict(
    align_loss=dict(type='InfoNCELoss', similarity='dot', temperature=1.0, learnable_scale=False)
)
