# Kosmos-2 (1.6B: CLIP ViT-L/14 + a 24-layer causal LM) from transformers,
# fine-tuned in its own patch-index tokens <patch_index_0000>..<patch_index_1023>
# (2 per box, a 32 x 32 grid; docs/pretrained_vlms.md). `pretrained` is a local
# folder (fetch it once:
#   huggingface-cli download microsoft/kosmos-2-patch14-224 --local-dir
# checkpoints/kosmos-2-patch14-224)
# The vision tower is frozen and LoRA (r=16) adapts the language model.
_base_ = ['./pretrained_vlm.py']
pretrained = '${pretrained_root}/kosmos-2-patch14-224'
vlm_box_coder = dict(
    type='PatchIndexBoxCoder', num_patches_per_side=32, token_fmt='<patch_index_{:04d}>'
)
vlm_img_scale = (224, 224)
# prompts in Kosmos-2's grounded format (<grounding>, <phrase>..</phrase>)
vlm_hoi_templates = dict(
    hoi='<grounding> Question: What is the interaction between {subject} and {object}? Answer:',
    hoi_loc='<grounding> Question: Where is the {object_name} that {subject} does '
    '"{relation}" with? Answer:',
)
vlm_grounding_template = '<grounding><phrase> {expression}</phrase>'
model = dict(
    type='Kosmos2VLM',
    frozen_modules=['hf_model.vision_model'],
    lora=dict(
        r=16,
        alpha=32,
        dropout=0.05,
        target_modules=['hf_model.text_model.*_proj', 'hf_model.text_model.*fc[12]'],
    ),
    dtype='bfloat16',
    # the training loss from the LM head's input, 256 target positions at a time:
    # the [batch, tokens, 65,037] logits never exist (same loss and gradients;
    # docs/benchmarks.md). None turns it off (the full logits).
    loss_chunk_size=256,
)
# microsoft/kosmos-2-patch14-224's sizes, for counting parameters without weights
hf_config = dict(
    vision_config=dict(
        hidden_size=1024,
        intermediate_size=4096,
        num_hidden_layers=24,
        num_attention_heads=16,
        patch_size=14,
        image_size=224,
    ),
    text_config=dict(
        vocab_size=65037,
        embed_dim=2048,
        layers=24,
        ffn_dim=8192,
        attention_heads=32,
        max_position_embeddings=2048,
    ),
    latent_query_num=64,
)
