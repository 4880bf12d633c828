# qwen2_5_vl_3b.py with location tokens added: 1000 bins <|loc_0|> ... <|loc_999|> (one
# vocabulary for x and y, as OFA), the embeddings and the LM head grown by 1000 rows that
# start at the sin-cos code of their bin (docs/location_learning.md). Boxes are then
# written as 4 location tokens, and DistanceLabelEncoder / GEMLoss apply unchanged.
# The new rows train with the LoRA adapters (lora.trainable).
_base_ = ['./qwen2_5_vl_3b.py']
vlm_box_coder = dict(_delete_=True, type='BinBoxCoder', num_bins=1000, token_fmt='<|loc_{}|>')
model = dict(
    added_tokens=dict(init='sincos'),
    lora=dict(trainable=['hf_model.model.language_model.embed_tokens', 'hf_model.lm_head']),
)
