"""The Kosmos-2 family: CLIP ViT + causal LM, ``<patch_index_%04d>`` tokens.

Everything the toolkit knows of Kosmos-2 is here: the wrapper
(:class:`Kosmos2VLM`), its answer parser (:func:`parse_kosmos2_grounding`,
the reference's post-processing), its tags, its tiny toy architecture and
its :class:`~vltoolkit.models.pretrained_vlms.family.VLMFamily`; its box
format is ``vltoolkit/tokenization/patch_index_box_coder.py``.
"""

import re

import torch

from vltoolkit.registry import MODELS
from vltoolkit.tokenization.patch_index_box_coder import PatchIndexBoxCoder  # noqa: F401

from .decoder_only import DecoderOnlyVLM
from .family import VLMFamily, register_family, special_token_ids


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
        tok = getattr(self.tokenizer, 'tokenizer', None)
        if tok is None:  # a size-only placeholder (count_params.py): BOS / EOS stand in
            self.boi_id, self.eoi_id = self.tokenizer.bos_token_id, self.tokenizer.eos_token_id
            return
        self.boi_id, self.eoi_id = tok.convert_tokens_to_ids(['<image>', '</image>'])
        if tok.unk_token_id in (self.boi_id, self.eoi_id):
            raise ValueError(
                f'the tokenizer {self.tokenizer!r} lacks Kosmos-2\'s '
                '<image> / </image> tokens: use the tokenizer '
                'saved with the model'
            )

    def prefix_ids(self, prompt_ids, image=None):
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


# ------------------------------------------------------------ answers
_KOSMOS2_OBJECT = re.compile(
    r'(?:(<phrase>([^<]+)</phrase>))?<object>((?:<patch_index_\d+>'
    r'<patch_index_\d+></delimiter_of_multi_objects/>)*<patch_index_\d+>'
    r'<patch_index_\d+>)</object>'
)


def parse_kosmos2_grounding(text: str, box_coder):
    """Kosmos-2 answer -> ``(caption, entities)``.

    ``caption`` is the text without its tags, stripped; ``entities`` is a
    list of ``(phrase, (start, end), boxes)`` with the phrase's character
    span in ``caption`` and its boxes as normalised ``(x1, y1, x2, y2)``
    tuples (decoded by ``box_coder``, a ``PatchIndexBoxCoder``, on a unit
    image). An ``<object>`` without a ``<phrase>`` gives one entity per box,
    named after its tokens, at the position of ``<object>``.
    """
    if not isinstance(text, str):
        return '', []
    raw = []
    for match in _KOSMOS2_OBJECT.finditer(text):
        tag, phrase, content = match.groups()
        span = match.span(2) if tag else (match.start(), match.start())
        pairs = []
        for pair in content.split('</delimiter_of_multi_objects/>'):
            first = re.search(r'<patch_index_(\d+)>', pair)
            second = re.search(r'<patch_index_(\d+)>', pair[1:])
            if first and second:
                pairs.append((int(first.group(1)), int(second.group(1))))
        if tag:
            raw.append((phrase, span, pairs))
        else:
            raw += [(f'<patch_index_{a}><patch_index_{b}>', span, [(a, b)]) for a, b in pairs]
    caption = re.sub('<.*?>', '', text)
    lead = len(caption) - len(caption.lstrip())
    entities = []
    for name, (start, end), pairs in raw:
        start = len(re.sub('<.*?>', '', text[:start]))
        end = len(re.sub('<.*?>', '', text[:end]))
        boxes = [tuple(_kosmos2_box(box_coder, a, b)) for a, b in pairs]
        start += len(name) - len(name.lstrip()) - lead
        end -= len(name) - len(name.rstrip()) + lead
        entities.append((name.strip(), (start, end), boxes))
    return caption.strip(), entities


def _kosmos2_box(box_coder, ul, lr):
    """Normalised box of two patch indices, without the order check of
    ``decode`` (the reference decodes whatever indices it reads)."""
    p = box_coder.num_patches_per_side
    (ul_row, ul_col), (lr_row, lr_col) = divmod(ul, p), divmod(lr, p)
    cell = 1.0 / p
    if ul_row == lr_row or ul_col == lr_col:
        return (ul_col * cell, ul_row * cell, lr_col * cell + cell, lr_row * cell + cell)
    return (
        ul_col * cell + cell / 2,
        ul_row * cell + cell / 2,
        lr_col * cell + cell / 2,
        lr_row * cell + cell / 2,
    )


# ------------------------------------------------------------- the family
KOSMOS2_TAGS = (
    '</doc>',
    '<image>',
    '</image>',
    '</chunk>',
    '</line>',
    '<phrase>',
    '</phrase>',
    '<object>',
    '</object>',
    '</delimiter_of_multi_objects/>',
    '<grounding>',
)


def kosmos2_toy_config(tok, image_size: int = 96, width: int = 64) -> dict:
    """Config kwargs of a tiny Kosmos-2 for tokenizer ``tok``."""
    ids = special_token_ids(tok)
    return dict(
        vision_config=dict(
            hidden_size=width,
            intermediate_size=2 * width,
            num_hidden_layers=2,
            num_attention_heads=4,
            image_size=image_size,
            patch_size=16,
        ),
        text_config=dict(
            embed_dim=width,
            layers=2,
            ffn_dim=2 * width,
            attention_heads=4,
            dropout=0.0,
            attention_dropout=0.0,
            max_position_embeddings=256,
            **ids,
        ),
        latent_query_num=16,
    )


KOSMOS2 = register_family(
    VLMFamily(
        name='kosmos2',
        wrapper=Kosmos2VLM,
        box_coder=dict(type='PatchIndexBoxCoder'),
        toy_config=kosmos2_toy_config,
        image_processor='CLIPImageProcessor',
        image_processor_kwargs=lambda size: dict(
            size=dict(height=size, width=size), do_center_crop=False
        ),
        # Kosmos2Processor adds its tags as ordinary (non-special) tokens
        tags=KOSMOS2_TAGS,
        parse_answer=parse_kosmos2_grounding,
        vision_module='hf_model.vision_model',
        language_module='hf_model.text_model',
        recipe_models=('kosmos2', 'kosmos2_toy'),
    )
)
