# CLIP ViT-B/32 + ViLT-B/32 for VQA (seed 002). Local folders (nothing is
# downloaded): openai/clip-vit-base-patch32 (model and tokenizer) and
# dandelin/vilt-b32-mlm, each saved with save_pretrained. CLIP's 49 patch
# tokens + CLS (768-d) are projected to ViLT's width; ViLT's text side keeps
# its BERT tokenizer, CLIP's text tower (used by the alignment losses) reads
# the question through CLIP's own tokenizer.
model = dict(
    type='CLIPViLTVQA',
    clip=dict(pretrained_path='checkpoints/clip-vit-base-patch32'),
    clip_tokenizer=dict(type='HFTokenizer', path='checkpoints/clip-vit-base-patch32',
                        max_length=77),
    vilt=dict(pretrained_path='checkpoints/vilt-b32-mlm'),
    image_tokens='all',
    loss=dict(type='SoftTargetBCELoss'),
    # which CLIP parts stay frozen is a recipe choice, e.g.
    # frozen_modules=['clip.vision_model.embeddings', 'clip.vision_model.encoder.layers.[0-5]']
    frozen_modules=[],
    data_preprocessor=dict(type='VLDataPreprocessor',
                           mean=(122.771, 116.746, 104.094),
                           std=(68.501, 66.632, 70.323)),
)
