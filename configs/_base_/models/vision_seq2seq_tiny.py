# CPU-sized OFA-like model: a 2-block ViT and a 2+2-layer BART, random init.
# The tokenizer is trained on the data (tools/data/build_tokenizer.py).
model = dict(
    type='VisionSeq2Seq',
    vision_encoder=dict(type='TimmVisionEncoder', model_name='vit_tiny_patch16_224',
                        img_size=96, patch_size=16, depth=2, drop_rate=0.0),
    language_model=dict(config=dict(
        model_type='bart', d_model=128, encoder_layers=2, decoder_layers=2,
        encoder_attention_heads=4, decoder_attention_heads=4,
        encoder_ffn_dim=256, decoder_ffn_dim=256, max_position_embeddings=128,
        dropout=0.0, attention_dropout=0.0, activation_dropout=0.0)),
    loss=dict(type='TokenCrossEntropyLoss'),
    label_encoder=dict(type='OneHotLabelEncoder'),
    generation_cfg=dict(max_new_tokens=16, num_beams=1),
    data_preprocessor=dict(type='VLDataPreprocessor'),
)
