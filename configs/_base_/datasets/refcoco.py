# RefCOCO (UNC splits) from the original refer release (lichengunc/refer):
#   data/refcoco/instances.json, data/refcoco/refs(unc).p  (unpacked refcoco.zip)
#   data/refcoco/train2014 -> the COCO train2014 images (a symlink is fine)
# RefCOCO+: data_root='data/refcoco+'; RefCOCOg: data_root='data/refcocog',
# split_file='refs(umd).p', test split 'test'. See docs/datasets/refcoco.md.
data_root = 'data/refcoco'
# OFA's location tokens: 1000 bins per coordinate
box_coder = dict(type='BinBoxCoder', num_bins=1000, token_fmt='<bin_{}>')
# a pretrained tokenizer (local folder); location tokens are added to it
tokenizer = dict(type='VLTokenizer', path='checkpoints/bart-base', box_coder=box_coder)
img_scale = (384, 384)
prompt_template = 'Which region does the text "{expression}" describe?'

train_pipeline = [
    dict(type='LoadImage'),
    dict(type='ClipBoxesToImage'),
    dict(type='ResizeImageAndBoxes', scale=img_scale),
    dict(type='GroundingPrompt', box_coder=box_coder, template=prompt_template),
    dict(type='TokenizeText', tokenizer=tokenizer),
    dict(type='PackVLInputs',
         data_keys=('prompt', 'target_text', 'gt_bboxes', 'expression')),
]
test_pipeline = train_pipeline


train_dataloader = dict(
    batch_size=16, num_workers=4,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='vl_collate'),
    dataset=dict(type='RefCOCODataset', data_root=data_root,
                 ann_file='instances.json', split_file='refs(unc).p', split='train',
                 data_prefix=dict(img_path='train2014'),
                 pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=32, num_workers=4,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='vl_collate'),
    dataset=dict(type='RefCOCODataset', data_root=data_root,
                 ann_file='instances.json', split_file='refs(unc).p', split='val',
                 data_prefix=dict(img_path='train2014'),
                 pipeline=test_pipeline, test_mode=True))
# testA (people); for testB (objects) override test_dataloader.dataset.split
test_dataloader = dict(
    batch_size=32, num_workers=4,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='vl_collate'),
    dataset=dict(type='RefCOCODataset', data_root=data_root,
                 ann_file='instances.json', split_file='refs(unc).p', split='testA',
                 data_prefix=dict(img_path='train2014'),
                 pipeline=test_pipeline, test_mode=True))

val_evaluator = dict(type='GroundingAccuracy', box_coder=box_coder)
test_evaluator = val_evaluator
