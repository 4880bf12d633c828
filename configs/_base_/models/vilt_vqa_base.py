# ViLT-B/32 for VQA (seed 002's baseline). Pretrained weights from a local
# folder (nothing is downloaded), e.g. dandelin/vilt-b32-mlm saved with
# `ViltModel.from_pretrained(...).save_pretrained('checkpoints/vilt-b32-mlm')`;
# the 3129-answer head is initialised fresh.
model = dict(
    type='ViLTVQA',
    vilt=dict(pretrained_path='checkpoints/vilt-b32-mlm'),
    loss=dict(type='SoftTargetBCELoss'),
    data_preprocessor=dict(type='VLDataPreprocessor', mean=(127.5, 127.5, 127.5),
                           std=(127.5, 127.5, 127.5)),
)
