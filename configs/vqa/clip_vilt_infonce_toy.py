# Seed 002: CLIP+ViLT plus InfoNCE (cosine similarity, learnable temperature
# from 0.07) between CLIP's image and text features before fusion.
# CPU-sized twin of clip_vilt_infonce.py; its siblings differ only in `align_loss`.
_base_ = ['./clip_vilt_toy.py']

model = dict(align_loss=dict(type='InfoNCELoss', similarity='cosine',
                             temperature=0.07, loss_weight=1.0))

# open_clip's temperature: the scale learns with its full gradient, is clamped
# to 100 in place after every optimizer step, and has no weight decay
custom_hooks = [dict(type='LogitScaleClampHook')]
optim_wrapper = dict(paramwise_cfg=dict(
    custom_keys={'align_loss.log_scale': dict(decay_mult=0.0)}))
