# The synthetic RefCOCO set (vltoolkit/datasets/toy/grounding_toy.py) in the
# original refer layout (instances.json, refs(unc).p, train2014/*.png): 1,000
# training / 200 val images of 96 px, 2-3 shapes each, on the 6 x 6 grid of the
# ViT's 16 px patches.
# Prepare (configs/grounding/README.md):
#   python tools/data/make_toy.py refcoco --out data/toy_refcoco
#   python tools/data/build_tokenizer.py configs/grounding/ce_onehot_toy.py
_base_ = ['./refcoco.py']

data_root = 'data/toy_refcoco'
# boxes as 4 quantised coordinates (OFA style); 7 bins = the 7 patch borders
# (16 px apart), so every toy box is written exactly
box_coder = dict(num_bins=7, token_fmt='<loc_{}>')
img_scale = (96, 96)
train_dataloader = dict(num_workers=0)
val_dataloader = dict(num_workers=0)
# the toy set has train and val splits only: test on val
test_dataloader = dict(num_workers=0, dataset=dict(split='val'))
