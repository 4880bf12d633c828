# HOI on V-COCO (relation questions + object localisation queries) with the
# pretrained OFA-like model: token cross-entropy with one-hot labels.
# Macro F1 over the relation questions, Acc@0.5 / mIoU over the localisation
# queries. Its 2x2 siblings differ in the loss / label encoder fragment only.
#   tools/dist_train.sh configs/hoi/ce_onehot.py 4
_base_ = [
    '../_base_/models/vision_seq2seq_base.py',
    '../_base_/datasets/hoi_vcoco.py',
    '../_base_/losses/token_ce.py',
    '../_base_/label_encoders/one_hot.py',
    '../_base_/schedules/seq2seq_20e.py',
    '../_base_/default_runtime.py',
]
