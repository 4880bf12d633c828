# Stage 1 of 3: span-masking pre-training (text infilling) on the COCO
# captions: spans of a caption become <mask_i> sentinels and the decoder
# restores them. No validation. Next: multitask.py.
#   tools/dist_train.sh configs/multitask/pretrain_span.py 8
_base_ = [
    '../_base_/models/vision_seq2seq_base.py',
    '../_base_/datasets/multitask.py',
    '../_base_/losses/token_ce.py',
    '../_base_/label_encoders/one_hot.py',
    '../_base_/schedules/pretrain_5e.py',
    '../_base_/default_runtime.py',
]

train_tasks = ['${span_masking}']
task_batch_size = dict(_delete_=True)  # one task: batches of the loader's batch_size
val_dataloader = val_evaluator = val_cfg = None
