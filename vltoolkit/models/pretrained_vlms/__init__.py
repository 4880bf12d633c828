"""Pretrained VLMs from transformers as backbones (docs/pretrained_vlms.md),
fine-tuned with the toolkit's losses and label encoders in their own answer
format (location tokens or text numbers). One module per family, each
registering a :class:`VLMFamily`; the line below imports them."""

from . import florence2, kosmos2, paligemma, qwen2_5_vl, qwen3_vl  # noqa: F401 (registers)
from .base import PretrainedVLM
from .decoder_only import DecoderOnlyVLM
from .family import FAMILIES, VLMFamily, get_family, register_family
from .loading import PretrainedVLMError, load_pretrained, read_image_settings

__all__ = [
    'PretrainedVLM',
    'DecoderOnlyVLM',
    'VLMFamily',
    'FAMILIES',
    'get_family',
    'register_family',
    'PretrainedVLMError',
    'load_pretrained',
    'read_image_settings',
]
