# HOI on V-COCO (relations: Macro F1; object localisation: Acc@0.5): the pretrained PaliGemma-3B
# fine-tuned in its own
# location tokens <locNNNN> (y first), token CE + distance-inverse labels (docs/pretrained_vlms.md).
#   tools/dist_train.sh configs/hoi/paligemma-3b_ce_distlabel.py 4
_base_ = [
    '../_base_/models/paligemma_3b.py',
    '../_base_/datasets/hoi_vcoco_vlm.py',
    '../_base_/losses/token_ce.py',
    '../_base_/label_encoders/distance.py',
    '../_base_/schedules/vlm_finetune_10e.py',
    '../_base_/default_runtime.py',
]
