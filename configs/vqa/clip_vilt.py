# Seed 002: ViLT whose visual embedding is CLIP ViT-B/32 (CLS + 49 patch tokens
# -> Linear + LayerNorm + learned position -> ViLT's transformer), no alignment
# loss; same schedule as vilt_baseline.py, images at CLIP's 224x224.
#   tools/dist_train.sh configs/vqa/clip_vilt.py 8
_base_ = [
    '../_base_/models/clip_vilt_vqa_base.py',
    '../_base_/datasets/vqa_v2.py',
    '../_base_/schedules/adamw_epochs.py',
    '../_base_/default_runtime.py',
]

model = dict(tokenizer={{_base_.tokenizer}}, num_answers={{_base_.num_answers}})

# CLIP ViT-B/32 reads 224x224
train_pipeline = [
    dict(type='LoadImage'),
    dict(type='ResizeImageAndBoxes', scale=(224, 224), interpolation='bicubic'),
    dict(type='VQAPrompt', template='{question}'),
    dict(type='TokenizeText', tokenizer={{_base_.tokenizer}}, max_prompt_len=40),
    dict(type='PackVLInputs', meta_keys={{_base_.meta_keys}},
         data_keys={{_base_.data_keys}}),
]
train_dataloader = dict(batch_size=32, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=train_pipeline))
test_dataloader = val_dataloader

optim_wrapper = dict(
    optimizer=dict(lr=1e-4, weight_decay=0.01),
    paramwise_cfg=dict(custom_keys={'vilt.classifier': dict(lr_mult=10.0),
                                    'image_proj': dict(lr_mult=10.0),
                                    'image_pos_embed': dict(lr_mult=10.0)}))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='LinearLR', start_factor=1.0, end_factor=0.0, by_epoch=True, begin=1,
         end=10, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=10, val_interval=1)
