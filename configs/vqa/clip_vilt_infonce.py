# CLIP+ViLT plus InfoNCE (cosine, learnable temperature from 0.07) between
# CLIP's image and text features before fusion; negatives come from the global
# batch (gradient-carrying all-gather). open_clip's temperature: the scale
# learns with its full gradient, is clamped to 100 in place after every
# optimizer step (LogitScaleClampHook), and has no weight decay.
#   tools/dist_train.sh configs/vqa/clip_vilt_infonce.py 8
_base_ = ['./clip_vilt.py']

model = dict(align_loss=dict(type='InfoNCELoss', similarity='cosine', temperature=0.07))
custom_hooks = [dict(type='LogitScaleClampHook')]
optim_wrapper = dict(paramwise_cfg=dict(custom_keys={'align_loss.log_scale': dict(decay_mult=0.0)}))
