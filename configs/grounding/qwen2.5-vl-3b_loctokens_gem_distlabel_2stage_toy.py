# Stage 2 of 2: qwen2.5-vl-3b_loctokens_gem_distlabel_toy.py from the last checkpoint of
# stage 1 (qwen2.5-vl-3b_loctokens_rows_toy.py: the new rows trained alone).
_base_ = ['./qwen2.5-vl-3b_loctokens_gem_distlabel_toy.py']
load_from = '${last_checkpoint:work_dirs/grounding/qwen2.5-vl-3b_loctokens_rows_toy}'
