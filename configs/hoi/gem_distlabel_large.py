# HOI on V-COCO at the multi-task HOI study's scale: the flagship GEM + distance-inverse labels
# recipe (gem_distlabel.py) on the OFA-large-like model (ViT-L/16-384 + BART-large,
# ~713M parameters). Like the seed, ~157M of them train: the ViT, the BART
# encoder and the lower half of the decoder are frozen. Size it with no files:
#   python tools/analysis/count_params.py configs/hoi/gem_distlabel_large.py
# Train it sharded, bf16, on 2 nodes of 8 GPUs:
#   GPUS=16 tools/slurm_train.sh PARTITION hoi_large configs/hoi/gem_distlabel_large.py \
#       work_dirs/gem_distlabel_large --strategy fsdp --amp
_base_ = [
    '../_base_/models/vision_seq2seq_large.py',
    '../_base_/datasets/hoi_vcoco.py',
    '../_base_/losses/gem.py',
    '../_base_/label_encoders/distance.py',
    '../_base_/schedules/seq2seq_20e.py',
    '../_base_/default_runtime.py',
]

model = dict(
    frozen_modules=[
        'vision_encoder',
        'language_model.model.encoder.layers',
        'language_model.model.decoder.layers.[0-5]',
    ],
    # ViT-L + BART-large activations over 577 image + prompt tokens dominate a step
    grad_checkpointing=True,
)
train_dataloader = dict(batch_size=8)
optim_wrapper = dict(optimizer=dict(lr=2e-5))
