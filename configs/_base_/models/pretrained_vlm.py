# What the pretrained-VLM model fragments share (florence2_base.py,
# paligemma_3b.py, kosmos2.py): the wrapper loads `pretrained` (a folder under
# `pretrained_root` saved by `huggingface-cli download ... --local-dir`, or a
# hub name in the local cache) and uses the tokenizer saved there as it is;
# the loss and the label encoder come from their fragments.
pretrained_root = 'checkpoints'  # the one folder of pretrained weights (docs/config.md)
tokenizer_dir = '${pretrained}'
model = dict(
    pretrained='${pretrained}',
    tokenizer='${tokenizer}',
    loss='${loss}',
    label_encoder='${label_encoder}',
    generation_cfg=dict(max_new_tokens=40, num_beams=1),
)
