# Seed 001's proposal: LoRA (W + BA) per modality pair on a trained MCN.
# The base (a one-stage MCN checkpoint, frozen) gets three adapter sets,
# va / vt / at, on the gated units of the encoders; each stage trains one
# pair's adapters on that pair's losses, the last stage all three together.
# Retrieval uses eval_adapters (default all; e.g. ['vt'] for text->video).
#   tools/dist_train.sh configs/retrieval/mcn_one_stage.py 8
#   tools/dist_train.sh configs/retrieval/mcn_lora_pairs.py 8
#   python tools/model_converters/merge_lora.py configs/retrieval/mcn_lora_pairs.py \
#       work_dirs/mcn_lora_pairs/epoch_8.pth work_dirs/mcn_lora_pairs/merged.pth
_base_ = ['./mcn_one_stage.py']

load_from = 'work_dirs/mcn_one_stage/epoch_30.pth'
model = dict(
    lora=dict(r=64, alpha=128, dropout=0.05, adapters='per_pair',
              target_modules=['encoders.*.gu.fc', 'encoders.*.gu.gate']))
custom_hooks = [
    dict(type='ModalityScheduleHook', by_epoch=True, stages=[
        dict(begin=0, modalities=['video', 'text']),            # adapters vt
        dict(begin=2, modalities=['video', 'audio']),           # adapters va
        dict(begin=4, modalities=['audio', 'text']),            # adapters at
        dict(begin=6, modalities=['video', 'audio', 'text']),   # all three
    ]),
]
param_scheduler = [
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, eta_min=0.0,
         convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=8, val_interval=2)
