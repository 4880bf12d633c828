# The synthetic RefCOCO set (vltoolkit/datasets/toy/grounding_toy.py) in the
# original refer layout: instances.json + refs(unc).p + train2014/*.png.
# Prepare: python tools/data/make_toy_refcoco.py --out data/toy_refcoco
#          python tools/data/build_tokenizer.py <a recipe config using this file>
data_root = 'data/toy_refcoco'
# boxes as 4 quantised coordinates (OFA style); 64 bins = 1.5 px on a 96 px image
box_coder = dict(type='BinBoxCoder', num_bins=64, token_fmt='<loc_{}>')
tokenizer = dict(type='VLTokenizer', path=data_root + '/tokenizer', box_coder=box_coder)
img_scale = (96, 96)
# written out (not left to the default) so that build_tokenizer.py learns its words
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
    batch_size=16, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='vl_collate'),
    dataset=dict(type='RefCOCODataset', data_root=data_root,
                 ann_file='instances.json', split_file='refs(unc).p', split='train',
                 data_prefix=dict(img_path='train2014'),
                 pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=32, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='vl_collate'),
    dataset=dict(type='RefCOCODataset', data_root=data_root,
                 ann_file='instances.json', split_file='refs(unc).p', split='val',
                 data_prefix=dict(img_path='train2014'),
                 pipeline=test_pipeline, test_mode=True))
test_dataloader = val_dataloader

val_evaluator = dict(type='GroundingAccuracy', box_coder=box_coder)
test_evaluator = val_evaluator
