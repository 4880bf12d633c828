# HOI on V-COCO (relations: Macro F1; object localisation: Acc@0.5): the pretrained Florence-2-base
# fine-tuned in its own
# location tokens <loc_k>, GEM (beta 0.7) + distance-inverse labels (docs/pretrained_vlms.md).
#   tools/dist_train.sh configs/hoi/florence2-base_gem_distlabel.py 4
_base_ = [
    '../_base_/models/florence2_base.py',
    '../_base_/datasets/hoi_vcoco_vlm.py',
    '../_base_/losses/gem.py',
    '../_base_/label_encoders/distance.py',
    '../_base_/schedules/vlm_finetune_10e.py',
    '../_base_/default_runtime.py',
]
