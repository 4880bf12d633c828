# Stage 2 of 3: multi-task training on COCO, Visual Genome and V-COCO:
# captioning, region captioning, categorisation and HOI in one model. Every
# batch comes from one task with its own batch size; one optimizer update
# accumulates one batch of each task. Starts from the last checkpoint of
# pretrain_span.py (its work dir's `last_checkpoint`). Next: hoi_finetune.py.
#   tools/dist_train.sh configs/multitask/multitask.py 8
_base_ = [
    '../_base_/models/vision_seq2seq_base.py',
    '../_base_/datasets/multitask.py',
    '../_base_/losses/token_ce.py',
    '../_base_/label_encoders/one_hot.py',
    '../_base_/schedules/multitask_10e.py',
    '../_base_/default_runtime.py',
]

load_from = '${last_checkpoint:work_dirs/multitask/pretrain_span}'
