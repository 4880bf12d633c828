# VQA v2 (visualqa.org), the official files under data_root:
#   v2_OpenEnded_mscoco_{train,val}2014_questions.json
#   v2_mscoco_{train,val}2014_annotations.json
#   train2014/COCO_train2014_*.jpg, val2014/COCO_val2014_*.jpg (COCO images)
#   answers.json: ViLT's 3129 answers (docs/vqa.md), made with
#     python tools/data/build_vqa_answers.py --min-count 9 --out data/vqa/answers.json \
#         --ann-files data/vqa/v2_mscoco_train2014_annotations.json \
#                     data/vqa/v2_mscoco_val2014_annotations.json
# The question tokenizer is the model's (`tokenizer_dir`, BERT's uncased
# WordPiece for ViLT), at most 40 tokens (ViLT's max_text_len).
data_root = 'data/vqa'
tokenizer = dict(type='HFTokenizer', path='${tokenizer_dir}', max_length=40)
answer_file = 'answers.json'
num_answers = 3129
# ViLT reads 384x384 (its processor keeps the aspect ratio, shorter side 384;
# a fixed square keeps batches dense); CLIP recipes set img_scale = (224, 224)
img_scale = (384, 384)
interpolation = 'bicubic'

meta_keys = (
    'img_path',
    'ori_shape',
    'img_shape',
    'scale_factor',
    'task',
    'sample_idx',
    'question_id',
)
data_keys = (
    'prompt',
    'question',
    'gt_answers',
    'answer_labels',
    'answer_scores',
    'answer_type',
    'question_type',
)
train_pipeline = [
    dict(type='LoadImage'),
    dict(type='ResizeImageAndBoxes', scale='${img_scale}', interpolation='${interpolation}'),
    # the bare question (ViLT's input); an answer classifier needs no target text
    dict(
        type='TaskPrompt',
        task='vqa',
        templates=dict(vqa='{question}'),
        target_templates=dict(vqa=None),
    ),
    dict(type='TokenizeText', tokenizer='${tokenizer}', max_prompt_len=40),
    dict(type='PackVLInputs', meta_keys=meta_keys, data_keys=data_keys),
]
test_pipeline = train_pipeline


def vqa_split(split, pipeline, **kwargs):
    return dict(
        type='VQAv2Dataset',
        data_root='${data_root}',
        question_file=f'v2_OpenEnded_mscoco_{split}2014_questions.json',
        ann_file=f'v2_mscoco_{split}2014_annotations.json',
        answer_file='${answer_file}',
        img_name_fmt=f'COCO_{split}2014_{{image_id:012d}}.jpg',
        data_prefix=dict(img_path=f'{split}2014'),
        pipeline=pipeline,
        **kwargs,
    )


def loader(batch_size, dataset, shuffle=False):
    return dict(
        batch_size=batch_size,
        num_workers=8,
        persistent_workers=True,
        sampler=dict(type='DefaultSampler', shuffle=shuffle),
        collate_fn=dict(type='vl_collate'),
        dataset=dataset,
    )


# ViLT drops training questions without an answer in the vocabulary
train_dataloader = loader(
    32, vqa_split('train', '${train_pipeline}', filter_no_label=True), shuffle=True
)
val_dataloader = loader(64, vqa_split('val', '${test_pipeline}', test_mode=True))
test_dataloader = val_dataloader

# official VQA accuracy, overall and per answer type (yes/no, number, other)
val_evaluator = dict(type='VQAAccuracy')
test_evaluator = val_evaluator
