# Qwen2.5-VL-3B on HOI relation prompts + object localisation: token cross-entropy + 0.3 x the
# Number Token Loss (Wasserstein) at the digits of box coordinates.
# The row of docs/results.md ("Models that write numbers") names the toy twin.
_base_ = [
    '../_base_/models/qwen2_5_vl_3b.py',
    '../_base_/datasets/hoi_vcoco_vlm.py',
    '../_base_/losses/ce_ntl_was.py',
    '../_base_/label_encoders/one_hot.py',
    '../_base_/schedules/vlm_finetune_10e.py',
    '../_base_/default_runtime.py',
]
