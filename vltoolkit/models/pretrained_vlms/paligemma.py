"""The PaliGemma family: SigLIP + Gemma prefix-LM, ``<loc%04d>`` tokens.

Everything the toolkit knows of PaliGemma is here: the wrapper
(:class:`PaliGemmaVLM`), its tiny toy architecture and its
:class:`~vltoolkit.models.pretrained_vlms.family.VLMFamily`; its box format is
``vltoolkit/tokenization/paligemma_box_coder.py``.
"""

import torch

from vltoolkit.registry import MODELS
from vltoolkit.tokenization.paligemma_box_coder import PaliGemmaBoxCoder  # noqa: F401 (registers)

from .decoder_only import DecoderOnlyVLM
from .family import VLMFamily, register_family, special_token_ids


@MODELS.register_module()
class PaliGemmaVLM(DecoderOnlyVLM):
    """``PaliGemmaForConditionalGeneration`` (transformers) with the
    ``VisionSeq2Seq`` contract.

    Each sample is laid out as ``PaliGemmaProcessor`` does with ``suffix=``:
    ``<image>`` x ``num_image_tokens``, BOS, the prompt, the separator
    ``prompt_sep`` (``'\\n'``), then the answer and EOS; ``token_type_ids``
    are 0 on the prefix (which attends bidirectionally) and 1 on the answer
    (causal). The loss covers the answer tokens only
    (:class:`~vltoolkit.models.pretrained_vlms.decoder_only.DecoderOnlyVLM`).
    Boxes are written y_min x_min y_max x_max in ``<loc0000>``..``<loc1023>``
    (:class:`~vltoolkit.tokenization.PaliGemmaBoxCoder`); prompts in
    PaliGemma's task format (``detect {object}``, ``answer en {question}``).

    Args:
        prompt_sep (str): text between prompt and answer; its ids (if the
            tokenizer has any for it) follow the prompt. Default ``'\\n'``.
        **kwargs: see :class:`~vltoolkit.models.pretrained_vlms.base.PretrainedVLM`.
    """

    hf_class_name = 'PaliGemmaForConditionalGeneration'
    hf_config_class_name = 'PaliGemmaConfig'
    model_type = 'paligemma'
    hub_example = 'google/paligemma-3b-pt-224'

    def __init__(self, *args, prompt_sep: str = '\n', **kwargs):
        super().__init__(*args, **kwargs)
        self.prompt_sep = prompt_sep
        # (a size-only placeholder tokenizer, count_params.py, encodes nothing)
        sized_only = not hasattr(self.tokenizer, 'tokenizer')
        self.sep_ids = (
            self.tokenizer.encode(prompt_sep, add_special_tokens=False)
            if prompt_sep and not sized_only
            else []
        )

    def prefix_ids(self, prompt_ids, image=None):
        tok = self.tokenizer
        prompt = self._strip(prompt_ids, drop_first=tok.bos_token_id, drop_last=tok.eos_token_id)
        n = self.hf_model.config.text_config.num_image_tokens
        head = [self.hf_model.config.image_token_id] * n + [tok.bos_token_id]
        return torch.cat([prompt.new_tensor(head), prompt, prompt.new_tensor(self.sep_ids).long()])

    def model_inputs(self, sequences, attention_mask, prefix_lengths, images):
        positions = torch.arange(sequences.shape[1], device=sequences.device)
        lengths = sequences.new_tensor(prefix_lengths)
        token_type_ids = (positions[None] >= lengths[:, None]).long()
        return dict(
            input_ids=sequences,
            attention_mask=attention_mask,
            token_type_ids=token_type_ids,
            pixel_values=images.to(self.hf_model.dtype),
        )


def paligemma_toy_config(tok, image_size: int = 96, width: int = 64) -> dict:
    """Config kwargs of a tiny PaliGemma for tokenizer ``tok``."""
    ids = special_token_ids(tok)
    return dict(
        vision_config=dict(
            model_type='siglip_vision_model',
            hidden_size=width,
            intermediate_size=2 * width,
            num_hidden_layers=2,
            num_attention_heads=4,
            image_size=image_size,
            patch_size=16,
            vision_use_head=False,
        ),
        text_config=dict(
            model_type='gemma',
            hidden_size=width,
            intermediate_size=2 * width,
            num_hidden_layers=2,
            num_attention_heads=4,
            num_key_value_heads=1,
            head_dim=width // 4,
            **ids,
        ),
        image_token_index=tok.convert_tokens_to_ids('<image>'),
        vocab_size=len(tok),
        projection_dim=width,
        hidden_size=width,
        pad_token_id=tok.pad_token_id,
    )


PALIGEMMA = register_family(
    VLMFamily(
        name='paligemma',
        wrapper=PaliGemmaVLM,
        box_coder=dict(type='PaliGemmaBoxCoder'),
        toy_config=paligemma_toy_config,
        image_processor='SiglipImageProcessor',
        image_mean=(0.5, 0.5, 0.5),
        image_std=(0.5, 0.5, 0.5),
        special_tokens=('<image>',),
        recipe_models=('paligemma_3b', 'paligemma_3b_toy'),
    )
)
