# CLIP ViT-B/32 + ViLT-B/32 for VQA: CLIP's 49 patch tokens + CLS (768-d) are
# projected to ViLT's width; ViLT's text side keeps its BERT tokenizer, CLIP's
# text tower (used by the alignment losses) reads the question through CLIP's
# own tokenizer. Read from the one folder `pretrained_root`:
#   ${pretrained_root}/clip-vit-base-patch32/  openai/clip-vit-base-patch32
#       (model and tokenizer, save_pretrained)
#   ${pretrained_root}/vilt-b32-mlm/, ${pretrained_root}/bert-base-uncased/
#       as in vilt_vqa_base.py
_base_ = ['./vilt_vqa_base.py']

model = dict(
    type='CLIPViLTVQA',
    # config=dict(): CLIPConfig's / ViltConfig's defaults are these two
    # checkpoints' architectures (sizing with no files: count_params.py)
    clip=dict(pretrained_path='${pretrained_root}/clip-vit-base-patch32', config=dict()),
    clip_tokenizer=dict(
        type='HFTokenizer', path='${pretrained_root}/clip-vit-base-patch32', max_length=77
    ),
    image_tokens='all',
    # which CLIP parts stay frozen is a recipe choice, e.g.
    # frozen_modules=['clip.vision_model.embeddings', 'clip.vision_model.encoder.layers.[0-5]']
    frozen_modules=[],
    # CLIP's (OpenAI) pixel mean / std
    data_preprocessor=dict(mean=(122.771, 116.746, 104.094), std=(68.501, 66.632, 70.323)),
)
