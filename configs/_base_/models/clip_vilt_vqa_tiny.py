# CPU-sized CLIP+ViLT for VQA: a 2-layer CLIP (vision and text towers, width
# 64, 64-d projections) and the 2-layer ViLT of vilt_vqa_tiny.py reading
# [question tokens; CLS + 16 CLIP patch tokens]. Random init; the CLIP text
# tower shares the recipe's word-level tokenizer (no clip_tokenizer).
# No alignment loss here: recipes add `align_loss` (InfoNCE) or
# `local_align_loss` (Sinkhorn).
_base_ = ['./vilt_vqa_tiny.py']

model = dict(
    type='CLIPViLTVQA',
    clip=dict(
        config=dict(
            projection_dim=64,
            vision_config=dict(
                hidden_size=64,
                num_hidden_layers=2,
                num_attention_heads=4,
                intermediate_size=128,
                image_size=64,
                patch_size=16,
            ),
            text_config=dict(
                hidden_size=64,
                num_hidden_layers=2,
                num_attention_heads=4,
                intermediate_size=128,
                max_position_embeddings=40,
            ),
        )
    ),
    image_tokens='all',
    # CLIP's (OpenAI) pixel mean / std
    data_preprocessor=dict(mean=(122.771, 116.746, 104.094), std=(68.501, 66.632, 70.323)),
)
