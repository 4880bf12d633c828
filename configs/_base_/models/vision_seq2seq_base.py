# OFA-like model: timm ViT -> projection -> BART encoder over [image; prompt].
# Pretrained parts are local paths (nothing is downloaded): set
# model.vision_encoder.pretrained_path and model.language_model.pretrained_path
# (a folder saved with save_pretrained) and tokenizer.path to its tokenizer.
model = dict(
    type='VisionSeq2Seq',
    vision_encoder=dict(type='TimmVisionEncoder', model_name='vit_base_patch16_384',
                        pretrained_path='checkpoints/vit_base_patch16_384.safetensors'),
    language_model=dict(pretrained_path='checkpoints/bart-base'),
    loss=dict(type='TokenCrossEntropyLoss'),
    label_encoder=dict(type='OneHotLabelEncoder'),
    generation_cfg=dict(max_new_tokens=32, num_beams=5),
    data_preprocessor=dict(type='VLDataPreprocessor'),
)
