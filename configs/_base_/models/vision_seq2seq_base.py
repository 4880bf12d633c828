# OFA-like model: timm ViT-B/16 (384 px) -> projection -> BART-base encoder over
# [image tokens; prompt tokens] -> BART decoder. Every pretrained part is read
# from the one folder `pretrained_root` (nothing is downloaded):
#   ${pretrained_root}/vit_base_patch16_384/  timm.models.save_for_hf(model, ...)
#       (config.json + model.safetensors; a bare .safetensors file works too)
#   ${pretrained_root}/bart-base/             BartForConditionalGeneration and
#       its tokenizer, both saved with save_pretrained
# `tokenizer_dir` is that tokenizer's folder (the data set fragment's
# `tokenizer` reads it); `loss` and `label_encoder` come from their fragments.
pretrained_root = 'checkpoints'
tokenizer_dir = '${pretrained_root}/bart-base'
model = dict(
    type='VisionSeq2Seq',
    vision_encoder=dict(type='TimmVisionEncoder', model_name='vit_base_patch16_384',
                        pretrained_path='${pretrained_root}/vit_base_patch16_384'),
    language_model=dict(pretrained_path='${pretrained_root}/bart-base'),
    tokenizer='${tokenizer}',
    loss='${loss}',
    label_encoder='${label_encoder}',
    generation_cfg=dict(max_new_tokens=32, num_beams=5),
    data_preprocessor=dict(type='VLDataPreprocessor'),
)
