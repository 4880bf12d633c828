# Qwen2.5-VL-3B-Instruct (a 32-layer ViT with 14 px patches merged 2 x 2 + a Qwen2.5-3B
# decoder) from transformers, fine-tuned on its own answers: boxes written as text
# numbers, JSON [{"bbox_2d": [x1, y1, x2, y2], "label": ...}] in absolute pixels of the
# processor's resized image (docs/pretrained_vlms.md). `pretrained` is a local folder
# (fetch it once:
#   huggingface-cli download Qwen/Qwen2.5-VL-3B-Instruct \
#       --local-dir checkpoints/Qwen2.5-VL-3B-Instruct)
# or a hub name in the local cache. Prompts go through the model's chat template; the
# loss is on the answer only. The vision tower is frozen and LoRA (r=16) adapts the
# language model (`python tools/analysis/count_params.py <recipe>`).
_base_ = ['./pretrained_vlm.py']
pretrained = '${pretrained_root}/Qwen2.5-VL-3B-Instruct'
# 448 = 16 x 28: the processor keeps it as it is (256 image tokens per image)
vlm_img_scale = (448, 448)
# the released processor's min / max pixels (preprocessor_config.json)
vlm_box_coder = dict(type='Qwen2_5VLBoxCoder', factor=28, min_pixels=3136, max_pixels=12845056)
# prompts in Qwen2.5-VL's grounding phrasing (its cookbook: "... output its bbox
# coordinates in JSON format")
vlm_hoi_templates = dict(
    hoi='What is the interaction between {subject} and {object}?',
    hoi_loc='Locate the {object_name} that {subject} does "{relation}" with, '
    'and output its bbox coordinates in JSON format.',
)
vlm_grounding_template = (
    'Locate {expression} in the image, and output its bbox coordinates in JSON format.'
)
model = dict(
    type='Qwen2_5VLVLM',
    frozen_modules=['hf_model.model.visual'],
    lora=dict(
        r=16, alpha=32, dropout=0.05, target_modules=['hf_model.model.language_model.*_proj']
    ),
    dtype='bfloat16',
    # 151,936-token vocabulary: the loss never holds the full logits (docs/scale.md);
    # loss_chunk_size=None turns it off
    loss_chunk_size=256,
    generation_cfg=dict(max_new_tokens=64, num_beams=1),
)
# Qwen/Qwen2.5-VL-3B-Instruct's sizes (its config.json), for counting parameters and
# building it with random weights without the download
hf_config = dict(
    vision_config=dict(
        depth=32,
        hidden_size=1280,
        intermediate_size=3420,
        num_heads=16,
        hidden_act='silu',
        patch_size=14,
        spatial_merge_size=2,
        temporal_patch_size=2,
        window_size=112,
        out_hidden_size=2048,
        fullatt_block_indexes=[7, 15, 23, 31],
    ),
    text_config=dict(
        vocab_size=151936,
        hidden_size=2048,
        intermediate_size=11008,
        num_hidden_layers=36,
        num_attention_heads=16,
        num_key_value_heads=2,
        max_position_embeddings=128000,
        rms_norm_eps=1e-6,
        rope_parameters=dict(rope_type='default', rope_theta=1000000.0, mrope_section=[16, 24, 24]),
        bos_token_id=151643,
        eos_token_id=151645,
    ),
    image_token_id=151655,
    video_token_id=151656,
    vision_start_token_id=151652,
    vision_end_token_id=151653,
    tie_word_embeddings=True,
)
