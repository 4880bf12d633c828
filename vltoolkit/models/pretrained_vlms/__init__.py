"""Pretrained VLMs from transformers as backbones (docs/pretrained_vlms.md):
Florence-2, PaliGemma and Kosmos-2, fine-tuned with the toolkit's losses and
label encoders in their own location tokens."""

from .base import PretrainedVLM
from .decoder_only import DecoderOnlyVLM
from .florence2 import Florence2VLM
from .kosmos2 import Kosmos2VLM
from .loading import PretrainedVLMError, load_pretrained, read_image_settings
from .paligemma import PaliGemmaVLM

__all__ = [
    'PretrainedVLM',
    'DecoderOnlyVLM',
    'Florence2VLM',
    'PaliGemmaVLM',
    'Kosmos2VLM',
    'PretrainedVLMError',
    'load_pretrained',
    'read_image_settings',
]
