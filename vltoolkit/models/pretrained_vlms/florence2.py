"""Florence-2 (DaViT + BART-like encoder-decoder) with its ``<loc_k>`` tokens."""

import torch

from vltoolkit.registry import MODELS

from .base import PretrainedVLM


@MODELS.register_module()
class Florence2VLM(PretrainedVLM):
    """``Florence2ForConditionalGeneration`` (transformers) with the
    ``VisionSeq2Seq`` contract.

    The encoder reads what ``Florence2Processor`` builds: the image
    placeholder token repeated once per image feature, then the prompt as
    the tokenizer encodes it (``<s> prompt </s>``); the model scatters the
    projected DaViT features into the placeholders. The decoder is
    teacher-forced on the target (``decoder_input_ids`` = the labels shifted
    right behind ``decoder_start_token_id``, as transformers does) and the
    loss is the recipe's (token CE or GEM, one-hot or distance-inverse
    labels over ``<loc_0>``..``<loc_999>``) over the answer tokens.
    Prompts are written in Florence-2's own task format by the recipe
    (e.g. ``Locate the phrases in the caption: {expression}``, what the
    processor makes of ``<CAPTION_TO_PHRASE_GROUNDING>``).

    Config::

        model = dict(
            type='Florence2VLM', pretrained='florence-community/Florence-2-base',
            tokenizer=dict(type='VLTokenizer', path='florence-community/Florence-2-base',
                           box_coder=dict(type='Florence2BoxCoder'),
                           add_location_tokens=False),
            frozen_modules=['hf_model.model.vision_tower'],
            lora=dict(r=16, target_modules=['q_proj', 'k_proj', 'v_proj',
                                            'out_proj', 'fc1', 'fc2']))

    ``florence-community/Florence-2-base`` / ``-large`` hold the weights in
    the layout of transformers' native class (``microsoft/Florence-2-*``
    needs ``trust_remote_code``, which is never used).

    See :class:`~vltoolkit.models.pretrained_vlms.base.PretrainedVLM` for the
    arguments.
    """

    hf_class_name = 'Florence2ForConditionalGeneration'
    hf_config_class_name = 'Florence2Config'
    model_type = 'florence2'
    hub_example = 'florence-community/Florence-2-base'

    def __init__(self, *args, **kwargs):
        self._num_image_tokens = {}
        super().__init__(*args, **kwargs)

    def _decoder_start_token_id(self):
        return self.hf_model.config.text_config.decoder_start_token_id

    def num_image_tokens(self, images: torch.Tensor) -> int:
        """Image features per image at this input size (cached per size)."""
        key = tuple(images.shape[-2:])
        if key not in self._num_image_tokens:
            with torch.no_grad():
                feats = self.hf_model.get_image_features(images[:1]).pooler_output
            self._num_image_tokens[key] = feats.shape[1]
        return self._num_image_tokens[key]

    def encoder_inputs(self, inputs):
        """``input_ids`` with the image placeholders in front, its mask, and
        the pixel values, as ``Florence2Processor`` lays them out."""
        images = inputs['images'].to(self.hf_model.dtype)
        ids, mask = inputs['input_ids'], inputs['attention_mask']
        n = self.num_image_tokens(images)
        image_ids = ids.new_full((ids.shape[0], n), self.hf_model.config.image_token_id)
        return dict(
            input_ids=torch.cat([image_ids, ids], 1),
            attention_mask=torch.cat([mask.new_ones(image_ids.shape), mask], 1),
            pixel_values=images,
        )

    def _logits_and_labels(self, inputs):
        from transformers.models.florence2.modeling_florence2 import shift_tokens_right

        labels = inputs['labels']
        text_cfg = self.hf_model.config.text_config
        decoder_input_ids = shift_tokens_right(
            labels, text_cfg.pad_token_id, text_cfg.decoder_start_token_id
        )
        kwargs = dict(self.encoder_inputs(inputs), decoder_input_ids=decoder_input_ids)
        return self.lm_logits(self.hf_model, **kwargs, use_cache=False), labels

    def _generate(self, inputs):
        out = self.hf_model.generate(
            **self.encoder_inputs(inputs), generation_config=self.generation_config
        )
        return out
