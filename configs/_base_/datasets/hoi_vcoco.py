# V-COCO in QPIC's HOIA format (docs/datasets/hoi.md). Layout under data_root:
#   annotations/trainval_vcoco.json, annotations/test_vcoco.json
#       (python tools/data/vcoco.py ... --out data/vcoco/annotations/...)
#   images/train2014/ (COCO train2014), images/val2014/ (COCO val2014)
# The tokenizer is the model's pretrained one (`tokenizer_dir`); the box
# coder's location tokens are added to it.
data_root = 'data/vcoco'
# boxes in prompts: 2 tokens (top-left / bottom-right patch index)
box_coder = dict(type='PatchIndexBoxCoder', num_patches_per_side=40, token_fmt='<loc_{}>')
tokenizer = dict(type='VLTokenizer', path='${tokenizer_dir}', box_coder='${box_coder}')
img_scale = (384, 384)
# task -> prompt template, merged over HOIRelationPrompt's defaults ({} keeps them)
hoi_templates = {}

# every (person, object) pair gives a relation question (task 'hoi') and an
# object localisation query (task 'hoi_loc'): given the person and the relation,
# where is the object? -> 'donut<loc_..><loc_..>'
train_pipeline = [
    dict(type='LoadImage'),
    dict(type='ClipBoxesToImage'),
    dict(type='ResizeImageAndBoxes', scale='${img_scale}'),
    dict(type='HOIRelationPrompt', box_coder='${box_coder}', templates='${hoi_templates}'),
    dict(type='TokenizeText', tokenizer='${tokenizer}'),
    dict(type='PackVLInputs'),
]
test_pipeline = train_pipeline

train_dataloader = dict(
    batch_size=16,
    num_workers=4,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='vl_collate'),
    dataset=dict(
        type='HOIRelationDataset',
        data_root='${data_root}',
        ann_file='annotations/trainval_vcoco.json',
        data_prefix=dict(img_path='images/train2014'),
        localization_task='hoi_loc',
        pipeline='${train_pipeline}',
    ),
)
val_dataloader = dict(
    batch_size=32,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='vl_collate'),
    dataset=dict(
        type='HOIRelationDataset',
        data_root='${data_root}',
        ann_file='annotations/test_vcoco.json',
        data_prefix=dict(img_path='images/val2014'),
        localization_task='hoi_loc',
        pipeline='${test_pipeline}',
        test_mode=True,
    ),
)
test_dataloader = val_dataloader

# relation questions -> Macro F1; object localisation queries -> Acc@0.5 / mIoU
val_evaluator = [
    dict(type='MacroF1', tasks=['hoi']),
    dict(type='GroundingAccuracy', box_coder='${box_coder}', tasks=['hoi_loc']),
]
test_evaluator = val_evaluator
