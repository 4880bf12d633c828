# Qwen2.5-VL-3B on RefCOCO grounding: location tokens added to the model (1000 bins, started at
# their sin-cos codes; toy: 7), GEM against distance-inverse labels over them: the location-token
# study on a model that writes numbers.
# The row of docs/results.md ("Models that write numbers") names the toy twin.
_base_ = [
    '../_base_/models/qwen2_5_vl_3b_loctokens.py',
    '../_base_/datasets/refcoco_vlm.py',
    '../_base_/losses/gem.py',
    '../_base_/label_encoders/distance.py',
    '../_base_/schedules/vlm_finetune_10e.py',
    '../_base_/default_runtime.py',
]
# the tokenizer adds the location tokens the model fragment grows the embeddings for
tokenizer = dict(add_location_tokens=True)
