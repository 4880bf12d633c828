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
    vision_encoder=dict(
        type='TimmVisionEncoder',
        model_name='vit_base_patch16_384',
        pretrained_path='${pretrained_root}/vit_base_patch16_384',
    ),
    # `config` is facebook/bart-base's architecture: compared when the folder
    # loads, and what tools/analysis/count_params.py builds with no files
    language_model=dict(
        pretrained_path='${pretrained_root}/bart-base',
        config=dict(
            model_type='bart',
            d_model=768,
            encoder_layers=6,
            decoder_layers=6,
            encoder_attention_heads=12,
            decoder_attention_heads=12,
            encoder_ffn_dim=3072,
            decoder_ffn_dim=3072,
            max_position_embeddings=1024,
        ),
    ),
    tokenizer='${tokenizer}',
    loss='${loss}',
    label_encoder='${label_encoder}',
    generation_cfg=dict(max_new_tokens=32, num_beams=5),
    data_preprocessor=dict(type='VLDataPreprocessor'),
)
