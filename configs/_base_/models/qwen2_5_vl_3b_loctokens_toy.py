# The toy twin of qwen2_5_vl_3b_loctokens.py: qwen2_5_vl_3b_toy.py with 7 added bins (the
# toy boxes lie on the 7 borders of a 6 x 6 grid, as for the OFA-like toy recipes).
_base_ = ['./qwen2_5_vl_3b_toy.py']
vlm_box_coder = dict(_delete_=True, type='BinBoxCoder', num_bins=7, token_fmt='<|loc_{}|>')
model = dict(added_tokens=dict(init='sincos'))
