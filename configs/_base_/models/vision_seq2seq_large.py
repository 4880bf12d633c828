# The large OFA-like model: timm ViT-L/16 (384 px) + BART-large, read from
# ${pretrained_root}/vit_large_patch16_384/ and ${pretrained_root}/bart-large/
# (see vision_seq2seq_base.py for the folder formats).
_base_ = ['./vision_seq2seq_base.py']

tokenizer_dir = '${pretrained_root}/bart-large'
model = dict(
    vision_encoder=dict(
        model_name='vit_large_patch16_384',
        pretrained_path='${pretrained_root}/vit_large_patch16_384',
    ),
    # facebook/bart-large's architecture (see vision_seq2seq_base.py)
    language_model=dict(
        pretrained_path='${pretrained_root}/bart-large',
        config=dict(
            model_type='bart',
            d_model=1024,
            encoder_layers=12,
            decoder_layers=12,
            encoder_attention_heads=16,
            decoder_attention_heads=16,
            encoder_ffn_dim=4096,
            decoder_ffn_dim=4096,
            max_position_embeddings=1024,
        ),
    ),
)
