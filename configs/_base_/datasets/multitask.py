# The multi-task data: span-masking pre-training on COCO captions, then COCO
# captioning, Visual Genome region captioning, COCO categorisation and V-COCO
# HOI (relations + object localisation) in one model, then HOI fine-tuning.
# Layout under data_root (docs/multitask.md):
#   coco/annotations/{captions,instances}_train2014.json, coco/train2014/
#   vg/region_descriptions.json, vg/image_data.json, vg/VG_100K*/
#   vcoco/ (docs/datasets/hoi.md)
# The tokenizer is the model's pretrained one (`tokenizer_dir`); location and
# sentinel tokens are added to it.
data_root = 'data'
coco_root = '${data_root}/coco'
vg_root = '${data_root}/vg'
hoi_root = '${data_root}/vcoco'
img_scale = (384, 384)
box_coder = dict(type='PatchIndexBoxCoder', num_patches_per_side=40, token_fmt='<loc_{}>')
max_spans = 16  # span masking: at most this many <mask_i> sentinels per caption
tokenizer = dict(
    type='VLTokenizer',
    path='${tokenizer_dir}',
    box_coder='${box_coder}',
    extra_special_tokens=[f'<mask_{i}>' for i in range(max_spans)],
)


def pipe(prompt_step):
    return [
        dict(type='LoadImage'),
        dict(type='ClipBoxesToImage'),
        dict(type='ResizeImageAndBoxes', scale='${img_scale}'),
        prompt_step,
        dict(type='TokenizeText', tokenizer='${tokenizer}'),
        dict(type='PackVLInputs'),
    ]


task_prompt = dict(type='TaskPrompt', box_coder='${box_coder}')
hoi_prompt = dict(type='HOIRelationPrompt', box_coder='${box_coder}')
span_masking = dict(
    type='COCOCaptionDataset',
    data_root='${coco_root}',
    task='span_masking',
    ann_file='annotations/captions_train2014.json',
    data_prefix=dict(img_path='train2014'),
    pipeline=pipe(dict(type='SpanMasking', max_spans='${max_spans}')),
)
captioning = dict(
    type='COCOCaptionDataset',
    data_root='${coco_root}',
    per_image=True,
    ann_file='annotations/captions_train2014.json',
    data_prefix=dict(img_path='train2014'),
    pipeline=pipe(task_prompt),
)
region_captioning = dict(
    type='VGRegionCaptionDataset',
    data_root='${vg_root}',
    ann_file='region_descriptions.json',
    image_data_file='image_data.json',
    data_prefix=dict(img_path=''),
    zero_area_boxes='skip',  # VG holds regions with width or height 0 (counted in the log)
    pipeline=pipe(task_prompt),
)
categorization = dict(
    type='COCOCategorizationDataset',
    data_root='${coco_root}',
    ann_file='annotations/instances_train2014.json',
    data_prefix=dict(img_path='train2014'),
    zero_area_boxes='skip',  # COCO holds boxes with h = 0 (e.g. annotation 2206849)
    pipeline=pipe(task_prompt),
)
hoi_train = dict(
    type='HOIRelationDataset',
    data_root='${hoi_root}',
    ann_file='annotations/trainval_vcoco.json',
    data_prefix=dict(img_path='images/train2014'),
    localization_task='hoi_loc',
    pipeline=pipe(hoi_prompt),
)
hoi_test = dict(
    type='HOIRelationDataset',
    data_root='${hoi_root}',
    ann_file='annotations/test_vcoco.json',
    data_prefix=dict(img_path='images/val2014'),
    localization_task='hoi_loc',
    pipeline=pipe(hoi_prompt),
    test_mode=True,
)

# the data sets trained together (a stage's recipe may pick others)
train_tasks = ['${captioning}', '${region_captioning}', '${categorization}', '${hoi_train}']
# every batch holds one task, with its own batch size (short answers take big batches)
task_batch_size = dict(caption=32, region_caption=128, categorization=128, hoi=64, hoi_loc=64)
train_dataloader = dict(
    batch_size=32,
    num_workers=4,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=dict(type='TaskGroupedBatchSampler', task_batch_size='${task_batch_size}'),
    collate_fn=dict(type='vl_collate'),
    dataset=dict(type='MultiTaskDataset', datasets='${train_tasks}'),
)
val_dataloader = dict(
    batch_size=32,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='vl_collate'),
    dataset='${hoi_test}',
)
test_dataloader = val_dataloader
val_evaluator = [
    dict(type='MacroF1', tasks=['hoi']),
    dict(type='GroundingAccuracy', box_coder='${box_coder}', tasks=['hoi_loc']),
]
test_evaluator = val_evaluator
