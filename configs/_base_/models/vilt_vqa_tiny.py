# CPU-sized ViLT for VQA: random init, a 2-layer transformer of width 64 over
# [question tokens; 16 patches of 16x16 pixels of a 64 px image]; its
# word-level tokenizer is trained on the data into ${data_root}/tokenizer.
_base_ = ['./vilt_vqa_base.py']

tokenizer_dir = '${data_root}/tokenizer'
vilt_tiny = dict(
    hidden_size=64,
    num_hidden_layers=2,
    num_attention_heads=4,
    intermediate_size=128,
    image_size=64,
    patch_size=16,
    max_position_embeddings=40,
    hidden_dropout_prob=0.0,
    attention_probs_dropout_prob=0.0,
)
model = dict(vilt=dict(_delete_=True, config='${vilt_tiny}'))
