# The synthetic multi-task set at 96 px: captions, regions and categories of
# tools/data/make_toy.py multitask plus the toy HOI set in `hoi/`, all under
# data_root. One tokenizer serves the three stages, so each stage starts from
# the previous one's checkpoint. Prepare (configs/multitask/README.md):
#   python tools/data/make_toy.py multitask --out data/toy_multitask
#   python tools/data/make_toy.py hoi --out data/toy_multitask/hoi --num-train 800 --num-test 300
#   python tools/data/build_tokenizer.py configs/multitask/multitask_toy.py
_base_ = ['./multitask.py']

data_root = 'data/toy_multitask'
coco_root = '${data_root}'
vg_root = '${data_root}'
hoi_root = '${data_root}/hoi'
img_scale = (96, 96)
box_coder = dict(num_patches_per_side=16)
max_spans = 6
tokenizer = dict(extra_special_tokens=[f'<mask_{i}>' for i in range(max_spans)])
span_masking = dict(
    ann_file='annotations/captions_train.json', data_prefix=dict(img_path='images/train')
)
captioning = span_masking
region_captioning = dict(
    ann_file='annotations/region_descriptions_train.json',
    image_data_file='annotations/image_data_train.json',
    data_prefix=dict(img_path='images'),
    zero_area_boxes='refuse',  # the generated set has none (the real VG and COCO do)
)
categorization = dict(
    ann_file='annotations/instances_train.json',
    data_prefix=dict(img_path='images/train'),
    zero_area_boxes='refuse',
)
hoi_train = dict(ann_file='annotations/train.json', data_prefix=dict(img_path='images/train'))
hoi_test = dict(ann_file='annotations/test.json', data_prefix=dict(img_path='images/test'))
task_batch_size = dict(caption=16, region_caption=32, categorization=32, hoi=16, hoi_loc=16)
train_dataloader = dict(batch_size=16, num_workers=0)
