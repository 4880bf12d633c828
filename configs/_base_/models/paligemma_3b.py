# PaliGemma-3B at 224 px (SigLIP-So400m + Gemma-2B, prefix-LM) from transformers,
# fine-tuned in its own location tokens <loc0000>..<loc1023>, boxes written
# y_min x_min y_max x_max (docs/pretrained_vlms.md). `pretrained` is a local
# folder (gated on the hub: accept the licence, then fetch it once:
#   huggingface-cli download google/paligemma-3b-pt-224 --local-dir checkpoints/paligemma-3b-pt-224)
# The vision tower is frozen and LoRA (r=16) adapts the Gemma decoder: about
# 20M trained parameters of 2.9B (`tools/analysis/count_params.py <recipe>`).
_base_ = ['./pretrained_vlm.py']
pretrained = '${pretrained_root}/paligemma-3b-pt-224'
vlm_box_coder = dict(type='PaliGemmaBoxCoder')
vlm_img_scale = (224, 224)
# prompts in PaliGemma's task format ("answer en ...", "detect ...")
vlm_hoi_templates = dict(
    hoi='answer en What is the interaction between {subject} and {object}?',
    hoi_loc='detect {object_name} that {subject} does "{relation}" with',
)
vlm_grounding_template = 'detect {expression}'
model = dict(
    type='PaliGemmaVLM',
    frozen_modules=['hf_model.model.vision_tower'],
    lora=dict(
        r=16, alpha=32, dropout=0.05, target_modules=['hf_model.model.language_model.*_proj']
    ),
    dtype='bfloat16',
    # the training loss from the LM head's input, 256 target positions at a time:
    # the [batch, tokens, 257,216] logits never exist (same loss and gradients;
    # docs/benchmarks.md). None turns it off (the full logits).
    loss_chunk_size=256,
)
# google/paligemma-3b-pt-224's sizes, for counting parameters without weights
hf_config = dict(
    vision_config=dict(
        model_type='siglip_vision_model',
        hidden_size=1152,
        intermediate_size=4304,
        num_hidden_layers=27,
        num_attention_heads=16,
        patch_size=14,
        image_size=224,
        vision_use_head=False,
    ),
    text_config=dict(
        model_type='gemma',
        hidden_size=2048,
        intermediate_size=16384,
        num_hidden_layers=18,
        num_attention_heads=8,
        num_key_value_heads=1,
        head_dim=256,
        vocab_size=257216,
    ),
    image_token_index=257152,
    vocab_size=257216,
    projection_dim=2048,
    hidden_size=2048,
)
