# MCN (Chen et al., ICCV 2021) baseline: video, audio and text trained
# together from the first iteration (one stage), as in the paper. Zero-shot
# text->video+audio retrieval on YouCook2 and MSR-VTT, R@1/5/10 and MedR.
#   tools/dist_train.sh configs/retrieval/mcn_one_stage.py 8
_base_ = [
    '../_base_/models/mcn.py',
    '../_base_/datasets/mcn_features.py',
    '../_base_/schedules/adam_cosine_mcn.py',
    '../_base_/default_runtime.py',
]
