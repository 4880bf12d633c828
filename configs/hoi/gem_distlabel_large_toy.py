# CPU-sized twin of gem_distlabel_large.py: the tiny model with the large
# recipe's freezing pattern (frozen ViT, BART encoder and lower decoder half)
# and gradient checkpointing, on the toy HOI set.
_base_ = [
    '../_base_/models/vision_seq2seq_tiny.py',
    '../_base_/datasets/hoi_toy.py',
    '../_base_/losses/gem.py',
    '../_base_/label_encoders/distance.py',
    '../_base_/schedules/toy_12e.py',
    '../_base_/default_runtime.py',
]

model = dict(
    frozen_modules=[
        'vision_encoder',
        'language_model.model.encoder.layers',
        'language_model.model.decoder.layers.0',
    ],
    grad_checkpointing=True,
)
