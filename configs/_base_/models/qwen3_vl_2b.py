# Qwen3-VL-2B-Instruct (a 24-layer ViT with 16 px patches merged 2 x 2, DeepStack + a
# Qwen3-1.7B decoder) from transformers, fine-tuned on its own answers: boxes written as
# text numbers, JSON [{"bbox_2d": [x1, y1, x2, y2], "label": ...}] with integers in 0..1000
# of the image (docs/pretrained_vlms.md). `pretrained` is a local folder (fetch it once:
#   huggingface-cli download Qwen/Qwen3-VL-2B-Instruct \
#       --local-dir checkpoints/Qwen3-VL-2B-Instruct)
# or a hub name in the local cache. Prompts go through the model's chat template; the
# loss is on the answer only. The vision tower is frozen and LoRA (r=16) adapts the
# language model (`python tools/analysis/count_params.py <recipe>`).
_base_ = ['./pretrained_vlm.py']
pretrained = '${pretrained_root}/Qwen3-VL-2B-Instruct'
# 512 = 16 x 32: the processor keeps it as it is (256 image tokens per image)
vlm_img_scale = (512, 512)
vlm_box_coder = dict(type='Qwen3VLBoxCoder')
vlm_hoi_templates = dict(
    hoi='What is the interaction between {subject} and {object}?',
    hoi_loc='Locate the {object_name} that {subject} does "{relation}" with, '
    'and output its bbox coordinates in JSON format.',
)
vlm_grounding_template = (
    'Locate {expression} in the image, and output its bbox coordinates in JSON format.'
)
model = dict(
    type='Qwen3VLVLM',
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
# Qwen/Qwen3-VL-2B-Instruct's sizes (its config.json), for counting parameters and
# building it with random weights without the download
hf_config = dict(
    vision_config=dict(
        depth=24,
        hidden_size=1024,
        intermediate_size=4096,
        num_heads=16,
        hidden_act='gelu_pytorch_tanh',
        patch_size=16,
        spatial_merge_size=2,
        temporal_patch_size=2,
        out_hidden_size=2048,
        num_position_embeddings=2304,
        deepstack_visual_indexes=[5, 11, 17],
    ),
    text_config=dict(
        vocab_size=151936,
        hidden_size=2048,
        intermediate_size=6144,
        num_hidden_layers=28,
        num_attention_heads=16,
        num_key_value_heads=8,
        head_dim=128,
        max_position_embeddings=262144,
        rms_norm_eps=1e-6,
        rope_parameters=dict(
            rope_type='default',
            rope_theta=5000000.0,
            mrope_section=[24, 20, 20],
            mrope_interleaved=True,
        ),
        bos_token_id=151643,
        eos_token_id=151645,
    ),
    image_token_id=151655,
    video_token_id=151656,
    vision_start_token_id=151652,
    vision_end_token_id=151653,
    tie_word_embeddings=True,
)
