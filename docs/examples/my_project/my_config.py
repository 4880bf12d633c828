# A user's config: the toy HOI recipe with the loss of my_loss.py (docs/custom_plugins.md)
_base_ = ['../../../configs/hoi/ce_onehot_toy.py']
custom_imports = dict(imports=['my_loss'], allow_failed_imports=False)
loss = dict(type='ScaledTokenLoss', scale=3.0)  # the recipe's model reads '${loss}'
