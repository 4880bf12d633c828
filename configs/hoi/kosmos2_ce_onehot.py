# HOI on V-COCO (relations: Macro F1; object localisation: Acc@0.5): the pretrained Kosmos-2 fine-
# tuned in its own
# location tokens <patch_index_NNNN>, token CE + one-hot labels (docs/pretrained_vlms.md).
#   tools/dist_train.sh configs/hoi/kosmos2_ce_onehot.py 4
_base_ = [
    '../_base_/models/kosmos2.py',
    '../_base_/datasets/hoi_vcoco_vlm.py',
    '../_base_/losses/token_ce.py',
    '../_base_/label_encoders/one_hot.py',
    '../_base_/schedules/vlm_finetune_10e.py',
    '../_base_/default_runtime.py',
]
