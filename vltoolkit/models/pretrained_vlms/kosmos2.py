"""Kosmos-2 (CLIP ViT + causal LM) with its ``<patch_index_%04d>`` tokens."""

import torch

from vltoolkit.registry import MODELS

from .decoder_only import DecoderOnlyVLM


@MODELS.register_module()
class Kosmos2VLM(DecoderOnlyVLM):
    """``Kosmos2ForConditionalGeneration`` (transformers) with the
    ``VisionSeq2Seq`` contract.

    Each sample is laid out as ``Kosmos2Processor`` does: BOS, ``<image>``,
    ``latent_query_num`` image positions (ids from ``unk_token_id + 1`` on,
    marked in ``image_embeds_position_mask``, where the model puts the
    projected image features), ``</image>``, the prompt, then the answer
    and EOS. The loss covers the answer tokens only. Boxes are 2 patch-index
    tokens on a 32 x 32 grid
    (:class:`~vltoolkit.tokenization.PatchIndexBoxCoder`); a grounded answer
    reads ``<phrase>a dog</phrase><object><patch_index_0044>
    <patch_index_0863></object>`` (prompts start with ``<grounding>``).

    See :class:`~vltoolkit.models.pretrained_vlms.base.PretrainedVLM` for the
    arguments.
    """

    hf_class_name = 'Kosmos2ForConditionalGeneration'
    hf_config_class_name = 'Kosmos2Config'
    model_type = 'kosmos-2'
    hub_example = 'microsoft/kosmos-2-patch14-224'

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        tok = self.tokenizer.tokenizer
        self.boi_id, self.eoi_id = tok.convert_tokens_to_ids(['<image>', '</image>'])
        if tok.unk_token_id in (self.boi_id, self.eoi_id):
            raise ValueError(
                f'the tokenizer {self.tokenizer!r} lacks Kosmos-2\'s '
                '<image> / </image> tokens: use the tokenizer '
                'saved with the model'
            )

    def prefix_ids(self, prompt_ids):
        tok = self.tokenizer
        prompt = self._strip(prompt_ids, drop_first=tok.bos_token_id, drop_last=tok.eos_token_id)
        n = self.hf_model.config.latent_query_num
        first = tok.tokenizer.unk_token_id + 1
        head = [tok.bos_token_id, self.boi_id] + list(range(first, first + n)) + [self.eoi_id]
        return torch.cat([prompt.new_tensor(head), prompt])

    def model_inputs(self, sequences, attention_mask, prefix_lengths, images):
        n = self.hf_model.config.latent_query_num
        position_mask = torch.zeros_like(sequences)
        position_mask[:, 2 : 2 + n] = 1
        return dict(
            input_ids=sequences,
            attention_mask=attention_mask,
            image_embeds_position_mask=position_mask,
            pixel_values=images.to(self.hf_model.dtype),
        )
