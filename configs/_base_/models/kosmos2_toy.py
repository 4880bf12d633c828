# The architecture of kosmos2.py at toy widths, random, for the _toy twins: a
# folder next to the toy data written (once per toy set) by
#   python tools/data/make_toy_vlm.py <a _toy recipe>
# with a tokenizer learnt from the recipe's texts that holds the native tokens.
_base_ = ['./kosmos2.py']
pretrained = '${data_root}/kosmos2'
vlm_img_scale = (96, 96)
hf_config = None
model = dict(dtype=None, generation_cfg=dict(max_new_tokens=24))
