# ViLT-B/32 for VQA (the answer head initialised fresh), read from the one
# folder `pretrained_root` (nothing is downloaded):
#   ${pretrained_root}/vilt-b32-mlm/       dandelin/vilt-b32-mlm, save_pretrained
#   ${pretrained_root}/bert-base-uncased/  ViLT's question tokenizer (`tokenizer_dir`)
# The data set fragment defines `tokenizer` and `num_answers`.
pretrained_root = 'checkpoints'
tokenizer_dir = '${pretrained_root}/bert-base-uncased'
model = dict(
    type='ViLTVQA',
    # config: the architecture (ViltConfig's defaults are ViLT-B/32), used to
    # size the model with no files (tools/analysis/count_params.py)
    vilt=dict(pretrained_path='${pretrained_root}/vilt-b32-mlm', config=dict()),
    tokenizer='${tokenizer}',
    num_answers='${num_answers}',
    loss=dict(type='SoftTargetBCELoss'),
    # ViLT normalises pixels to [-1, 1]
    data_preprocessor=dict(
        type='VLDataPreprocessor', mean=(127.5, 127.5, 127.5), std=(127.5, 127.5, 127.5)
    ),
)
