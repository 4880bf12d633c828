# CPU-sized ViLT for VQA (the baseline of seed 002): random init, a 2-layer
# transformer of width 64 over [question tokens; 16 patches of 16x16 pixels].
# The tokenizer (and the answer count) come from the data set config.
model = dict(
    type='ViLTVQA',
    vilt=dict(config=dict(
        hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
        intermediate_size=128, image_size=64, patch_size=16,
        max_position_embeddings=40, hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0)),
    loss=dict(type='SoftTargetBCELoss'),
    # ViLT normalises pixels to [-1, 1]
    data_preprocessor=dict(type='VLDataPreprocessor', mean=(127.5, 127.5, 127.5),
                           std=(127.5, 127.5, 127.5)),
)
