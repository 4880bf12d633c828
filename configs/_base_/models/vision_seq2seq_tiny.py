# CPU-sized OFA-like model: a 2-block ViT of width 128 (16 px patches) at the
# data's `img_scale` and a 2+2-layer BART of width 128, random init (1.0M
# parameters). The ViT's position embedding is a fixed 2-D sin-cos table: timm's
# learned one starts at ~3% of a patch token's norm, so a model trained from
# scratch for minutes barely knows where a patch is (docs/results.md). The
# location tokens start at the code of the place they name
# (location_embed_init), and BART's layers at init std 1/sqrt(d_model) = 0.09
# instead of its 0.02 (sized for d_model 1024): at 0.02 the cross-attention of
# this narrow model stays near uniform for thousands of steps, and it cannot
# even localise a lone shape (docs/results.md, "initialisation"). Its
# word-level tokenizer is trained on the data (tools/data/build_tokenizer.py)
# into ${data_root}/tokenizer.
_base_ = ['./vision_seq2seq_base.py']

tokenizer_dir = '${data_root}/tokenizer'
model = dict(
    vision_encoder=dict(
        _delete_=True,
        type='TimmVisionEncoder',
        model_name='vit_tiny_patch16_224',
        img_size='${img_scale}',
        patch_size=16,
        depth=2,
        embed_dim=128,
        num_heads=4,
        mlp_ratio=2.0,
        drop_rate=0.0,
        pos_embed='sincos2d',
    ),
    language_model=dict(
        _delete_=True,
        config=dict(
            model_type='bart',
            d_model=128,
            encoder_layers=2,
            decoder_layers=2,
            encoder_attention_heads=4,
            decoder_attention_heads=4,
            encoder_ffn_dim=256,
            decoder_ffn_dim=256,
            max_position_embeddings=128,
            dropout=0.0,
            attention_dropout=0.0,
            activation_dropout=0.0,
            init_std=0.09,
        ),
    ),
    location_embed_init='sincos2d',
    generation_cfg=dict(max_new_tokens=16, num_beams=1),
)
