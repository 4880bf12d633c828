# refcoco_toy.py for a pretrained VLM (the toy RefCOCO set): boxes in the model's own location
# tokens, images at its processor's size, its tokenizer as it is (no token
# added) and prompts in its task format, all from the model fragment's vlm_* keys.
_base_ = ['./refcoco_toy.py']
box_coder = '${vlm_box_coder}'
img_scale = '${vlm_img_scale}'
tokenizer = dict(add_location_tokens=False)
prompt_template = '${vlm_grounding_template}'
