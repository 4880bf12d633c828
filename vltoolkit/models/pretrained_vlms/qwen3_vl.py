"""The Qwen3-VL family: boxes as text numbers, 0..1000 of the image.

Everything the toolkit knows of Qwen3-VL is here: the wrapper
(:class:`Qwen3VLVLM`, a
:class:`~vltoolkit.models.pretrained_vlms.chat_vlm.ChatTemplateVLM`), its chat
template (for the toy tokenizer), its tiny toy architecture and its
:class:`~vltoolkit.models.pretrained_vlms.family.VLMFamily`. Its box format is
``vltoolkit/tokenization/qwen3_vl_box_coder.py``: JSON
``[{"bbox_2d": [x1, y1, x2, y2], "label": ...}]`` with integers in 0..1000.
"""

from vltoolkit.registry import MODELS
from vltoolkit.tokenization.qwen3_vl_box_coder import Qwen3VLBoxCoder  # noqa: F401

from .chat_vlm import (
    CHAT_USER_TURN,
    ChatTemplateVLM,
    build_digit_bpe_tokenizer,
    mrope_text_config,
    processor_kwargs,
    vision_token_ids,
)
from .family import VLMFamily, register_family

#: the chat template of Qwen3-VL-Instruct (no default system message), for
#: the toy tokenizer
CHAT_TEMPLATE = (
    '{% for message in messages %}'
    + CHAT_USER_TURN
    + '{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}'
)


@MODELS.register_module()
class Qwen3VLVLM(ChatTemplateVLM):
    """``Qwen3VLForConditionalGeneration``: boxes as JSON ``bbox_2d`` in
    0..1000 of the image (``Qwen3VLBoxCoder``). See :class:`ChatTemplateVLM`."""

    hf_class_name = 'Qwen3VLForConditionalGeneration'
    hf_config_class_name = 'Qwen3VLConfig'
    model_type = 'qwen3_vl'
    hub_example = 'Qwen/Qwen3-VL-2B-Instruct'


def qwen3_vl_toy_config(tok, image_size: int = 128, width: int = 64) -> dict:
    """Config kwargs of a tiny Qwen3-VL for tokenizer ``tok``."""
    text = mrope_text_config(tok, width)
    text['rope_parameters']['mrope_interleaved'] = True
    return dict(
        vision_config=dict(
            depth=2,
            hidden_size=width,
            intermediate_size=2 * width,
            num_heads=4,
            patch_size=16,
            spatial_merge_size=2,
            temporal_patch_size=2,
            out_hidden_size=width,
            num_position_embeddings=64,
            deepstack_visual_indexes=[1],
        ),
        text_config=text,
        tie_word_embeddings=False,
        **vision_token_ids(tok),
    )


QWEN3_VL = register_family(
    VLMFamily(
        name='qwen3_vl',
        wrapper=Qwen3VLVLM,
        box_coder=dict(type='Qwen3VLBoxCoder'),
        toy_config=qwen3_vl_toy_config,
        image_processor='Qwen2VLImageProcessor',
        image_mean=(0.5, 0.5, 0.5),
        image_std=(0.5, 0.5, 0.5),
        image_processor_kwargs=processor_kwargs(16),
        toy_tokenizer=lambda texts, out: build_digit_bpe_tokenizer(texts, out, CHAT_TEMPLATE),
        vision_module='hf_model.model.visual',
        language_module='hf_model.model.language_model',
        recipe_models=('qwen3_vl_2b', 'qwen3_vl_2b_toy'),
    )
)
