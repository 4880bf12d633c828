"""The Florence-2 family: DaViT + BART-like encoder-decoder, ``<loc_k>`` tokens.

Everything the toolkit knows of Florence-2 is here: the wrapper
(:class:`Florence2VLM`), its answer parser (:func:`parse_florence2_grounding`,
the reference's post-processing), its tiny toy architecture and its
:class:`~vltoolkit.models.pretrained_vlms.family.VLMFamily`; its box format is
``vltoolkit/tokenization/florence2_box_coder.py``.
"""

import re

import numpy as np
import torch

from vltoolkit.registry import MODELS
from vltoolkit.tokenization.florence2_box_coder import Florence2BoxCoder  # noqa: F401 (registers)

from .base import PretrainedVLM
from .family import VLMFamily, register_family, special_token_ids


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


# ------------------------------------------------------------ answers
FLORENCE2_GROUNDING_TASKS = {
    '<CAPTION_TO_PHRASE_GROUNDING>': 'phrase_grounding',
    '<OD>': 'description_with_bboxes',
    '<DENSE_REGION_CAPTION>': 'description_with_bboxes',
    '<REGION_PROPOSAL>': 'bboxes',
}
_FLORENCE2_STOP = r'(?=<od>|</od>|<box>|</box>|<bbox>|</bbox>|<loc_)'


def parse_florence2_grounding(
    text: str, box_coder, img_wh, task: str = '<CAPTION_TO_PHRASE_GROUNDING>'
):
    """Florence-2 grounding answer -> ``dict(bboxes, labels)``.

    A phrase is a run of text without ``<`` followed by 4 or more location
    tokens (an empty phrase is allowed for ``<REGION_PROPOSAL>``); each
    complete group of 4 tokens after it is one box of that phrase (phrase
    grounding and detection alike). Boxes are the bin centres of
    ``box_coder`` (``Florence2BoxCoder``) in pixels of an image of size
    ``img_wh``: transformers' boxes are their ``int()``.

    Args:
        text (str): the decoded answer (``<s>``, ``</s>``, ``<pad>`` are
            dropped).
        box_coder (Florence2BoxCoder): the coder.
        img_wh: ``(width, height)``.
        task (str): a key of :data:`FLORENCE2_GROUNDING_TASKS`.

    Returns:
        dict: ``bboxes`` (list of float64 ``[4]`` xyxy arrays) and ``labels``
        (list of str, one per box).
    """
    if task not in FLORENCE2_GROUNDING_TASKS:
        raise ValueError(
            f'task {task!r} is not a Florence-2 grounding task; '
            f'use one of {sorted(FLORENCE2_GROUNDING_TASKS)}'
        )
    kind = FLORENCE2_GROUNDING_TASKS[task]
    bboxes, labels = [], []
    if not isinstance(text, str):
        return dict(bboxes=bboxes, labels=labels)
    text = text.replace('<s>', '').replace('</s>', '').replace('<pad>', '')
    phrase_re = r'(?:(?:<loc_\d+>){4,})' if kind == 'bboxes' else r'([^<]+(?:<loc_\d+>){4,})'
    for chunk in re.findall(phrase_re, text):
        chunk = chunk.replace('<ground>', '', 1).replace('<obj>', '', 1)
        if not chunk and kind != 'bboxes':
            continue
        match = re.search(r'^\s*(.*?)' + _FLORENCE2_STOP, chunk)
        if not match:
            continue
        phrase = match.group().strip()
        if kind == 'phrase_grounding' and phrase in getattr(
            box_coder, 'banned_grounding_tokens', ()
        ):
            continue
        groups = re.findall(r'<loc_(\d+)><loc_(\d+)><loc_(\d+)><loc_(\d+)>', chunk)
        phrase = phrase.encode('ascii', 'ignore').decode('ascii')
        for group in groups:
            bins = [int(k) for k in group]
            bboxes.append(_florence2_centres(box_coder, bins, img_wh))
            labels.append(phrase)
    return dict(bboxes=bboxes, labels=labels)


def _florence2_centres(box_coder, bins, img_wh):
    """Bin centres without the order / range checks of ``decode`` (the
    reference dequantises whatever bins it reads)."""
    import torch

    w, h = img_wh
    n = box_coder.num_bins
    per = [w / n, h / n, w / n, h / n]
    return np.asarray(
        [float((torch.tensor(k) + 0.5) * per[i]) for i, k in enumerate(bins)], dtype=np.float64
    )


# ------------------------------------------------------------- the family
def florence2_toy_config(tok, image_size: int = 96, width: int = 64) -> dict:
    """Config kwargs of a tiny Florence-2 for tokenizer ``tok``."""
    ids = special_token_ids(tok)
    return dict(
        vision_config=dict(
            depths=(1, 1, 1, 1),
            embed_dim=(16, 32, 32, width),
            num_heads=(1, 2, 2, 4),
            num_groups=(1, 2, 2, 4),
            patch_stride=(4, 2, 2, 1),
            window_size=3,
            drop_path_rate=0.0,
            projection_dim=width,
        ),
        text_config=dict(
            model_type='bart',
            d_model=width,
            encoder_layers=2,
            decoder_layers=2,
            encoder_attention_heads=4,
            decoder_attention_heads=4,
            encoder_ffn_dim=2 * width,
            decoder_ffn_dim=2 * width,
            max_position_embeddings=256,
            dropout=0.0,
            attention_dropout=0.0,
            activation_dropout=0.0,
            decoder_start_token_id=tok.eos_token_id,
            forced_bos_token_id=None,
            forced_eos_token_id=None,
            **ids,
        ),
        image_token_id=tok.convert_tokens_to_ids('<image>'),
    )


FLORENCE2 = register_family(
    VLMFamily(
        name='florence2',
        wrapper=Florence2VLM,
        box_coder=dict(type='Florence2BoxCoder'),
        toy_config=florence2_toy_config,
        image_processor='CLIPImageProcessor',
        image_mean=(0.485, 0.456, 0.406),
        image_std=(0.229, 0.224, 0.225),
        image_processor_kwargs=lambda size: dict(
            size=dict(height=size, width=size), do_center_crop=False
        ),
        special_tokens=('<image>',),
        parse_answer=parse_florence2_grounding,
        recipe_models=('florence2_base', 'florence2_base_toy'),
    )
)
