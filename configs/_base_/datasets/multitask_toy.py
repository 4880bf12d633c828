# The synthetic multi-task set (seed 000): span-masking pre-training on captions,
# then captioning, region captioning, categorisation and HOI (relations + object
# localisation) in one model, then HOI fine-tuning. One tokenizer serves the three
# stages, so checkpoints pass from one to the next with `load_from`.
# Prepare: python tools/data/make_toy_multitask.py --out data/toy_multitask
#          python tools/data/make_toy_hoi.py --out data/toy_hoi
#          python tools/data/build_tokenizer.py configs/multitask/multitask_toy.py
data_root = 'data/toy_multitask'
hoi_root = 'data/toy_hoi'
img_scale = (96, 96)
box_coder = dict(type='PatchIndexBoxCoder', num_patches_per_side=16, token_fmt='<loc_{}>')
tokenizer = dict(type='VLTokenizer', path=data_root + '/tokenizer', box_coder=box_coder,
                 extra_special_tokens=[f'<mask_{i}>' for i in range(6)])


def pipe(prompt_step):
    return [dict(type='LoadImage'), dict(type='ClipBoxesToImage'),
            dict(type='ResizeImageAndBoxes', scale=img_scale), prompt_step,
            dict(type='TokenizeText', tokenizer=tokenizer), dict(type='PackVLInputs')]


task_prompt = dict(type='TaskPrompt', box_coder=box_coder)
span_masking = dict(type='COCOCaptionDataset', data_root=data_root, task='span_masking',
                    ann_file='annotations/captions_train.json',
                    data_prefix=dict(img_path='images/train'),
                    pipeline=pipe(dict(type='SpanMasking', max_spans=6)))
captioning = dict(type='COCOCaptionDataset', data_root=data_root, per_image=True,
                  ann_file='annotations/captions_train.json',
                  data_prefix=dict(img_path='images/train'), pipeline=pipe(task_prompt))
region_captioning = dict(type='VGRegionCaptionDataset', data_root=data_root,
                         ann_file='annotations/region_descriptions_train.json',
                         image_data_file='annotations/image_data_train.json',
                         data_prefix=dict(img_path='images'), pipeline=pipe(task_prompt))
categorization = dict(type='COCOCategorizationDataset', data_root=data_root,
                      ann_file='annotations/instances_train.json',
                      data_prefix=dict(img_path='images/train'), pipeline=pipe(task_prompt))
hoi_prompt = dict(type='HOIRelationPrompt', box_coder=box_coder)
hoi_train = dict(type='HOIRelationDataset', data_root=hoi_root,
                 ann_file='annotations/train.json', data_prefix=dict(img_path='images/train'),
                 localization_task='hoi_loc', pipeline=pipe(hoi_prompt))
hoi_test = dict(type='HOIRelationDataset', data_root=hoi_root,
                ann_file='annotations/test.json', data_prefix=dict(img_path='images/test'),
                localization_task='hoi_loc', pipeline=pipe(hoi_prompt), test_mode=True)

# every batch holds one task, with its own batch size (short answers take big batches)
task_batch_size = dict(caption=16, region_caption=32, categorization=32,
                       hoi=16, hoi_loc=16)
train_dataloader = dict(
    batch_size=16, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=dict(type='TaskGroupedBatchSampler', task_batch_size=task_batch_size),
    collate_fn=dict(type='vl_collate'),
    dataset=dict(type='MultiTaskDataset',
                 datasets=[captioning, region_captioning, categorization, hoi_train]))
val_dataloader = dict(
    batch_size=32, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='vl_collate'), dataset=hoi_test)
test_dataloader = val_dataloader
val_evaluator = [
    dict(type='MacroF1', tasks=['hoi']),
    dict(type='GroundingAccuracy', box_coder=box_coder, tasks=['hoi_loc']),
]
test_evaluator = val_evaluator
