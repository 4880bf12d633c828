# RefCOCO (UNC splits) from the original refer release (lichengunc/refer),
# docs/datasets/refcoco.md. Layout under data_root:
#   instances.json, refs(unc).p          (unpacked refcoco.zip)
#   train2014/ -> the COCO train2014 images (a symlink is fine)
# RefCOCO+: data_root='data/refcoco+'; RefCOCOg: data_root='data/refcocog',
# split_file='refs(umd).p' (train/val/test sets) and test split 'test'.
data_root = 'data/refcoco'
split_file = 'refs(unc).p'
# OFA's location tokens: 1000 bins per coordinate
box_coder = dict(type='BinBoxCoder', num_bins=1000, token_fmt='<bin_{}>')
# the model's pretrained tokenizer (`tokenizer_dir`); location tokens are added to it
tokenizer = dict(type='VLTokenizer', path='${tokenizer_dir}', box_coder='${box_coder}')
img_scale = (384, 384)
# written out (not left to the default) so that build_tokenizer.py learns its words
prompt_template = 'Which region does the text "{expression}" describe?'

train_pipeline = [
    dict(type='LoadImage'),
    dict(type='ClipBoxesToImage'),
    dict(type='ResizeImageAndBoxes', scale='${img_scale}'),
    dict(
        type='TaskPrompt',
        task='grounding',
        box_coder='${box_coder}',
        templates=dict(grounding='${prompt_template}'),
        require_target=False,
    ),
    dict(type='TokenizeText', tokenizer='${tokenizer}'),
    dict(type='PackVLInputs', data_keys=('prompt', 'target_text', 'gt_bboxes', 'expression')),
]
test_pipeline = train_pipeline


def refcoco_split(split, pipeline, **kwargs):
    return dict(
        type='RefCOCODataset',
        data_root='${data_root}',
        ann_file='instances.json',
        split_file='${split_file}',
        split=split,
        data_prefix=dict(img_path='train2014'),
        pipeline=pipeline,
        **kwargs,
    )


def loader(batch_size, dataset, shuffle=False):
    return dict(
        batch_size=batch_size,
        num_workers=4,
        sampler=dict(type='DefaultSampler', shuffle=shuffle),
        collate_fn=dict(type='vl_collate'),
        dataset=dataset,
    )


train_dataloader = loader(16, refcoco_split('train', '${train_pipeline}'), shuffle=True)
val_dataloader = loader(32, refcoco_split('val', '${test_pipeline}', test_mode=True))
# testA (people); for testB (objects): --cfg-options test_dataloader.dataset.split=testB
test_dataloader = loader(32, refcoco_split('testA', '${test_pipeline}', test_mode=True))

val_evaluator = dict(type='GroundingAccuracy', box_coder='${box_coder}')
test_evaluator = val_evaluator
