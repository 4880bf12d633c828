"""The Qwen2.5-VL family: boxes as text numbers, pixels of the resized image.

Everything the toolkit knows of Qwen2.5-VL is here: the wrapper
(:class:`Qwen2_5VLVLM`, a
:class:`~vltoolkit.models.pretrained_vlms.chat_vlm.ChatTemplateVLM`), its chat
template (for the toy tokenizer), its tiny toy architecture and its
:class:`~vltoolkit.models.pretrained_vlms.family.VLMFamily`. Its box format is
``vltoolkit/tokenization/qwen2_5_vl_box_coder.py``: JSON
``[{"bbox_2d": [x1, y1, x2, y2], "label": ...}]`` in absolute pixels of the
processor's smart-resized image.
"""

from vltoolkit.registry import MODELS
from vltoolkit.tokenization.qwen2_5_vl_box_coder import Qwen2_5VLBoxCoder  # noqa: F401

from .chat_vlm import (
    CHAT_USER_TURN,
    ChatTemplateVLM,
    build_digit_bpe_tokenizer,
    mrope_text_config,
    processor_kwargs,
    vision_token_ids,
)
from .family import CLIP_MEAN, CLIP_STD, VLMFamily, register_family

#: the chat template of Qwen2.5-VL-Instruct (images and text; a default
#: system message), for the toy tokenizer
CHAT_TEMPLATE = (
    "{% for message in messages %}{% if loop.first and message['role'] != 'system' %}"
    '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n{% endif %}'
    + CHAT_USER_TURN
    + '{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}'
)


@MODELS.register_module()
class Qwen2_5VLVLM(ChatTemplateVLM):
    """``Qwen2_5_VLForConditionalGeneration``: boxes as JSON ``bbox_2d`` in
    absolute pixels of the processor's resized image
    (``Qwen2_5VLBoxCoder``). See :class:`ChatTemplateVLM`."""

    hf_class_name = 'Qwen2_5_VLForConditionalGeneration'
    hf_config_class_name = 'Qwen2_5_VLConfig'
    model_type = 'qwen2_5_vl'
    hub_example = 'Qwen/Qwen2.5-VL-3B-Instruct'


def qwen2_5_vl_toy_config(tok, image_size: int = 112, width: int = 64) -> dict:
    """Config kwargs of a tiny Qwen2.5-VL for tokenizer ``tok``."""
    return dict(
        vision_config=dict(
            depth=2,
            hidden_size=width,
            intermediate_size=2 * width,
            num_heads=4,
            patch_size=14,
            spatial_merge_size=2,
            temporal_patch_size=2,
            window_size=112,
            out_hidden_size=width,
            fullatt_block_indexes=[1],
        ),
        text_config=mrope_text_config(tok, width),
        tie_word_embeddings=False,
        **vision_token_ids(tok),
    )


QWEN2_5_VL = register_family(
    VLMFamily(
        name='qwen2_5_vl',
        wrapper=Qwen2_5VLVLM,
        box_coder=dict(type='Qwen2_5VLBoxCoder'),
        toy_config=qwen2_5_vl_toy_config,
        image_processor='Qwen2VLImageProcessor',
        image_mean=CLIP_MEAN,
        image_std=CLIP_STD,
        image_processor_kwargs=processor_kwargs(14),
        toy_tokenizer=lambda texts, out: build_digit_bpe_tokenizer(texts, out, CHAT_TEMPLATE),
        vision_module='hf_model.model.visual',
        language_module='hf_model.model.language_model',
        recipe_models=('qwen2_5_vl_3b', 'qwen2_5_vl_3b_toy'),
    )
)
