# GEM (Li et al. 2024): beta 0.7, linear h (the official train.py defaults).
loss = dict(type='GEMLoss', beta=0.7, h='linear')
