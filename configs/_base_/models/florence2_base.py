# Florence-2-base (0.23B: DaViT + a BART-base-sized encoder-decoder) from
# transformers, fine-tuned in its own location tokens <loc_0>..<loc_999>
# (docs/pretrained_vlms.md). `pretrained` is a local folder (fetch it once:
#   huggingface-cli download florence-community/Florence-2-base --local-dir
# checkpoints/Florence-2-base)
# or a hub name in the local cache. Its tokenizer already holds the location
# tokens: nothing is added, no embedding is resized. The vision tower is frozen,
# the whole language model is trained (141.0M parameters, under the multi-task HOI study's
# 162M): `python tools/analysis/count_params.py <recipe>`.
_base_ = ['./pretrained_vlm.py']
pretrained = '${pretrained_root}/Florence-2-base'
vlm_box_coder = dict(type='Florence2BoxCoder')
vlm_img_scale = (768, 768)
# prompts in Florence-2's own phrasing (the processor's task prompts:
# <OPEN_VOCABULARY_DETECTION> "Locate {input} in the image.",
# <CAPTION_TO_PHRASE_GROUNDING> "Locate the phrases in the caption: {input}")
vlm_hoi_templates = dict(
    hoi='What does {subject} do with {object}?',
    hoi_loc='Locate {object_name} that {subject} does "{relation}" with in the image.',
)
vlm_grounding_template = 'Locate the phrases in the caption: {expression}'
model = dict(
    type='Florence2VLM',
    frozen_modules=['hf_model.model.vision_tower'],
    generation_cfg=dict(num_beams=3),
    # the training loss from the LM head's input, 256 target positions at a time:
    # the [batch, tokens, 51,289] logits never exist (same loss and gradients;
    # docs/benchmarks.md). None turns it off (the full logits).
    loss_chunk_size=256,
)
# the released checkpoint's sizes (florence-community/Florence-2-base
# config.json), for counting parameters without the weights
hf_config = dict(
    vision_config=dict(
        depths=(1, 1, 9, 1),
        embed_dim=(128, 256, 512, 1024),
        num_heads=(4, 8, 16, 32),
        num_groups=(4, 8, 16, 32),
        window_size=12,
        projection_dim=768,
        drop_path_rate=0.1,
    ),
    text_config=dict(
        model_type='bart',
        vocab_size=51289,
        d_model=768,
        encoder_layers=6,
        decoder_layers=6,
        encoder_attention_heads=12,
        decoder_attention_heads=12,
        encoder_ffn_dim=3072,
        decoder_ffn_dim=3072,
        max_position_embeddings=1024,
    ),
    image_token_id=51289 - 1,
)
