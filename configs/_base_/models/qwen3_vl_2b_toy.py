# The architecture of qwen3_vl_2b.py at toy widths, random, for the _toy twins: a
# folder next to the toy data written (once per toy set) by
#   python tools/data/make_toy_vlm.py <a _toy recipe>
# with a byte-level BPE tokenizer learnt from the recipe's texts that splits numbers
# into single digits (as Qwen's does) and holds the chat template and special tokens.
_base_ = ['./qwen3_vl_2b.py']
pretrained = '${data_root}/qwen3_vl'
vlm_img_scale = (128, 128)
hf_config = None
# random weights: everything trains (LoRA on a random model learns nothing: the toy CE run
# stayed at loss 5.0 with it); answers of ~55 tokens (the JSON fenced, digits one by one)
model = dict(dtype=None, generation_cfg=dict(max_new_tokens=64), lora=None, frozen_modules=[])
