# hoi_toy.py for a pretrained VLM (the toy HOI set): boxes in the model's own location
# tokens, images at its processor's size, its tokenizer as it is (no token
# added) and prompts in its task format, all from the model fragment's vlm_* keys.
_base_ = ['./hoi_toy.py']
box_coder = '${vlm_box_coder}'
img_scale = '${vlm_img_scale}'
tokenizer = dict(add_location_tokens=False)
hoi_templates = '${vlm_hoi_templates}'
