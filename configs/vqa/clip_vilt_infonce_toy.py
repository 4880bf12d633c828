# CPU-sized twin of clip_vilt_infonce.py (InfoNCE, cosine, learnable
# temperature clamped to 100 after each step, no weight decay on it).
_base_ = ['./clip_vilt_toy.py']

model = dict(align_loss=dict(type='InfoNCELoss', similarity='cosine', temperature=0.07))
custom_hooks = [dict(type='LogitScaleClampHook')]
optim_wrapper = dict(paramwise_cfg=dict(custom_keys={'align_loss.log_scale': dict(decay_mult=0.0)}))
