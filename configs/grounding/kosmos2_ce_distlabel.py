# RefCOCO grounding (Acc@0.5, mIoU): the pretrained Kosmos-2 fine-tuned in its own
# location tokens <patch_index_NNNN>, token CE + distance-inverse labels (docs/pretrained_vlms.md).
#   tools/dist_train.sh configs/grounding/kosmos2_ce_distlabel.py 4
_base_ = [
    '../_base_/models/kosmos2.py',
    '../_base_/datasets/refcoco_vlm.py',
    '../_base_/losses/token_ce.py',
    '../_base_/label_encoders/distance.py',
    '../_base_/schedules/vlm_finetune_10e.py',
    '../_base_/default_runtime.py',
]
