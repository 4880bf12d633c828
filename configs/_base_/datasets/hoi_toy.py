# The synthetic HOI set (vltoolkit/datasets/toy) in V-COCO's HOIA format: 2,400
# training / 300 test images of 64 px; boxes as 2 patch-index tokens on a 16 x 16
# grid (4 px cells, 4 x 4 cells per 16 px ViT patch). Objects are drawn 4+ cells
# wide, so 99% of the localisation targets survive encode -> decode at IoU 0.5,
# and 72% when one corner is one cell off (docs/datasets/hoi.md).
# Prepare (configs/hoi/README.md):
#   python tools/data/make_toy.py hoi --out data/toy_hoi
#   python tools/data/build_tokenizer.py configs/hoi/ce_onehot_toy.py
# Layout: annotations/{train,test}.json, images/{train,test}/, tokenizer/
_base_ = ['./hoi_vcoco.py']

data_root = 'data/toy_hoi'
box_coder = dict(num_patches_per_side=16)
img_scale = (64, 64)
train_dataloader = dict(
    num_workers=0,
    dataset=dict(ann_file='annotations/train.json', data_prefix=dict(img_path='images/train')),
)
val_dataloader = dict(
    dataset=dict(ann_file='annotations/test.json', data_prefix=dict(img_path='images/test'))
)
test_dataloader = val_dataloader
