# LoRA per modality pair on the toy MCN: CPU-sized twin of mcn_lora_pairs.py.
# Needs the toy one-stage checkpoint first:
#   python tools/train.py configs/retrieval/mcn_one_stage_toy.py
#   python tools/train.py configs/retrieval/mcn_lora_pairs_toy.py
_base_ = ['./mcn_one_stage_toy.py']

load_from = 'work_dirs/mcn_one_stage_toy/epoch_30.pth'
model = dict(
    lora=dict(r=8, alpha=16, dropout=0.0, adapters='per_pair',
              target_modules=['encoders.*.gu.fc', 'encoders.*.gu.gate']))
custom_hooks = [
    dict(type='ModalityScheduleHook', by_epoch=True, stages=[
        dict(begin=0, modalities=['video', 'text']),
        dict(begin=2, modalities=['video', 'audio']),
        dict(begin=4, modalities=['audio', 'text']),
        dict(begin=6, modalities=['video', 'audio', 'text']),
    ]),
]
param_scheduler = [
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, eta_min=0.0,
         convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=8, val_interval=8)
default_hooks = dict(checkpoint=dict(interval=8))
