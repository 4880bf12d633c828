# LoRA (W + BA) per modality pair on a trained MCN: the base (the last
# checkpoint of mcn_one_stage.py, frozen) gets three adapter sets, va / vt / at,
# on the gated units of the encoders; schedules/mcn_lora_pairs_8e.py trains
# one pair's adapters per stage. Retrieval uses eval_adapters (default all;
# e.g. ['vt'] for text->video). Then merge the adapters into the weights:
#   tools/dist_train.sh configs/retrieval/mcn_lora_pairs.py 8
#   python tools/model_converters/merge_lora.py configs/retrieval/mcn_lora_pairs.py \
#       work_dirs/retrieval/mcn_lora_pairs/epoch_8.pth work_dirs/retrieval/mcn_lora_pairs/merged.pth
_base_ = [
    '../_base_/models/mcn.py',
    '../_base_/datasets/mcn_features.py',
    '../_base_/schedules/mcn_lora_pairs_8e.py',
    '../_base_/default_runtime.py',
]

load_from = '${last_checkpoint:work_dirs/retrieval/mcn_one_stage}'
model = dict(
    lora=dict(
        r=64,
        alpha=128,
        dropout=0.05,
        adapters='per_pair',
        target_modules=['encoders.*.gu.fc', 'encoders.*.gu.gate'],
    )
)
