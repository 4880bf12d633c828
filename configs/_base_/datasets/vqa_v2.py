# VQA v2 (visualqa.org), official files under data/vqa:
#   v2_OpenEnded_mscoco_{train,val}2014_questions.json
#   v2_mscoco_{train,val}2014_annotations.json
#   train2014/COCO_train2014_*.jpg, val2014/COCO_val2014_*.jpg (COCO images)
# Answer vocabulary (ViLT's 3129 answers, see docs/vqa.md):
#   python tools/data/build_vqa_answers.py --min-count 9 --out data/vqa/answers.json \
#       --ann-files data/vqa/v2_mscoco_train2014_annotations.json \
#                   data/vqa/v2_mscoco_val2014_annotations.json
data_root = 'data/vqa'
# ViLT's text side: BERT's uncased WordPiece (a local save_pretrained folder),
# at most 40 tokens (ViLT's max_text_len)
tokenizer = dict(type='HFTokenizer', path='checkpoints/bert-base-uncased', max_length=40)
answer_file = 'answers.json'
num_answers = 3129
# ViLT reads 384x384 (its processor keeps the aspect ratio, shorter side 384;
# a fixed square keeps batches dense). CLIP recipes override the pipeline to 224.
img_scale = (384, 384)

meta_keys = ('img_path', 'ori_shape', 'img_shape', 'scale_factor', 'task', 'sample_idx',
             'question_id')
data_keys = ('prompt', 'question', 'gt_answers', 'answer_labels', 'answer_scores',
             'answer_type', 'question_type')
train_pipeline = [
    dict(type='LoadImage'),
    dict(type='ResizeImageAndBoxes', scale=img_scale, interpolation='bicubic'),
    dict(type='VQAPrompt', template='{question}'),
    dict(type='TokenizeText', tokenizer=tokenizer, max_prompt_len=40),
    dict(type='PackVLInputs', meta_keys=meta_keys, data_keys=data_keys),
]
test_pipeline = train_pipeline

train_dataloader = dict(
    batch_size=32, num_workers=8, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='vl_collate'),
    dataset=dict(type='VQAv2Dataset', data_root=data_root,
                 question_file='v2_OpenEnded_mscoco_train2014_questions.json',
                 ann_file='v2_mscoco_train2014_annotations.json',
                 answer_file=answer_file,
                 img_name_fmt='COCO_train2014_{image_id:012d}.jpg',
                 data_prefix=dict(img_path='train2014'),
                 # ViLT drops training questions without an answer in the vocabulary
                 filter_no_label=True, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=64, num_workers=8, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='vl_collate'),
    dataset=dict(type='VQAv2Dataset', data_root=data_root,
                 question_file='v2_OpenEnded_mscoco_val2014_questions.json',
                 ann_file='v2_mscoco_val2014_annotations.json',
                 answer_file=answer_file,
                 img_name_fmt='COCO_val2014_{image_id:012d}.jpg',
                 data_prefix=dict(img_path='val2014'),
                 pipeline=test_pipeline, test_mode=True))
test_dataloader = val_dataloader

# official VQA accuracy, overall and per answer type (yes/no, number, other)
val_evaluator = dict(type='VQAAccuracy')
test_evaluator = val_evaluator
