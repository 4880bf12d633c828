# The synthetic VQA set (vltoolkit/datasets/toy/vqa_toy.py) in the official
# VQA v2 layout: coloured shapes, colour / count / yes-no / position questions.
# Prepare: python tools/data/make_toy_vqa.py --out data/toy_vqa
#          python tools/data/build_tokenizer.py configs/vqa/vilt_baseline_toy.py
data_root = 'data/toy_vqa'
# a word-level tokenizer trained on the questions (no location tokens);
# ViLT reads at most 40 text tokens
tokenizer = dict(type='HFTokenizer', path=data_root + '/tokenizer', max_length=40)
answer_file = 'answers.json'  # made by make_toy_vqa.py: the 12 toy answers
num_answers = 12
img_scale = (64, 64)

train_pipeline = [
    dict(type='LoadImage'),
    dict(type='ResizeImageAndBoxes', scale=img_scale),
    dict(type='VQAPrompt', template='{question}'),
    dict(type='TokenizeText', tokenizer=tokenizer, max_prompt_len=40),
    dict(type='PackVLInputs',
         meta_keys=('img_path', 'ori_shape', 'img_shape', 'scale_factor', 'task',
                    'sample_idx', 'question_id'),
         data_keys=('prompt', 'question', 'gt_answers', 'answer_labels',
                    'answer_scores', 'answer_type', 'question_type')),
]
test_pipeline = train_pipeline

train_dataloader = dict(
    batch_size=32, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='vl_collate'),
    dataset=dict(type='VQAv2Dataset', data_root=data_root,
                 question_file='annotations/questions_train.json',
                 ann_file='annotations/annotations_train.json',
                 answer_file=answer_file, img_name_fmt='{image_id:012d}.png',
                 data_prefix=dict(img_path='images/train'),
                 filter_no_label=True, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=64, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='vl_collate'),
    dataset=dict(type='VQAv2Dataset', data_root=data_root,
                 question_file='annotations/questions_val.json',
                 ann_file='annotations/annotations_val.json',
                 answer_file=answer_file, img_name_fmt='{image_id:012d}.png',
                 data_prefix=dict(img_path='images/val'),
                 pipeline=test_pipeline, test_mode=True))
test_dataloader = val_dataloader

val_evaluator = dict(type='VQAAccuracy')
test_evaluator = val_evaluator
