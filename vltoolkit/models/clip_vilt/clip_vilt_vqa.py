"""ViLT whose visual embedding is CLIP (the CLIP+ViLT study), with optional alignment
losses between CLIP's image and text features before fusion (the CLIP+ViLT and Sinkhorn
alignment studies)."""

from typing import Optional

import torch
import torch.nn as nn
from mmengine.logging import print_log

from vltoolkit.models.adapters.lora import apply_lora
from vltoolkit.registry import LOSSES, MODELS
from vltoolkit.tokenization import build_tokenizer

from ..utils.freeze import freeze_modules, parameter_table_text
from ..utils.memory import enable_grad_checkpointing
from ..vilt.base_vqa_classifier import BaseVQAClassifier
from ..vilt.hf_vilt import build_vilt_qa
from .hf_clip import build_clip

IMAGE_TOKENS = ('all', 'patches')


@MODELS.register_module()
class CLIPViLTVQA(BaseVQAClassifier):
    """CLIP's towers -> projections -> ViLT's transformer -> answer classifier.

    Data flow (``B`` questions, ``N`` CLIP patches)::

        image -> CLIP vision tower -> tokens [B, 1+N, Dv] (CLS + patches)
              -> Linear(Dv, H) + LayerNorm + learned position -> [B, 1+N, H]
        question -> ViLT text embeddings (BERT-like) -> [B, S, H]
        ViLT transformer over [text; image tokens] -> pooled -> classifier

    (ViLT's own patch projection is not used: ``image_embeds`` replaces it,
    and ViLT adds only its image modality embedding to them, no position,
    hence the learned position here.)

    Alignment before fusion, from the same CLIP pass:

    - ``align_loss`` (e.g. :class:`~vltoolkit.losses.InfoNCELoss`, cosine or
      dot) between the global features ``image_embeds`` =
      ``visual_projection(post_layernorm(CLS))`` (what
      ``CLIPModel.get_image_features`` returns) and ``text_embeds`` =
      ``text_projection`` of the CLIP text tower's last unpadded token (its
      EOS: CLIP's pooling for tokenizers ending a text with EOS), logged as
      ``loss_align``;
    - ``local_align_loss`` (e.g. :class:`~vltoolkit.losses.SinkhornAlignLoss`)
      between ``patch_embeds`` = ``visual_projection(post_layernorm(patch
      tokens))`` ``[B, N, P]`` and ``token_embeds`` = ``text_projection`` of
      every text token ``[B, S, P]`` (mask: the text attention mask), logged
      as ``loss_local_align``.

    The CLIP text tower reads the question tokenised by ``clip_tokenizer``
    (the question text of each data sample; e.g. a pretrained CLIP's BPE
    tokenizer), or, when it is ``None``, the pipeline's ``input_ids`` (one
    shared tokenizer, for models built from scratch: the text tower's
    vocabulary is then sized to it).

    Parts that receive no gradient are frozen so that DDP does not wait for
    them: ViLT's patch projection, image [CLS] and patch positions, CLIP's
    ``logit_scale``, and, without alignment loss, CLIP's text tower and
    projections. Which other parts are frozen is a config choice
    (``frozen_modules``, e.g. ``['clip.vision_model']``).

    Args:
        clip (dict): ``dict(config=dict(text_config=..., vision_config=...,
            projection_dim=...))`` or ``dict(pretrained_path=...)``.
        vilt (dict): as in :class:`ViLTVQA`.
        tokenizer (dict): the pipeline's (ViLT) tokenizer config.
        num_answers (int): the answer vocabulary size.
        clip_tokenizer (dict, optional): tokenizer of the CLIP text tower.
        image_tokens (str): ``'all'`` (CLS + patches, default) or
            ``'patches'``: the CLIP tokens ViLT reads.
        interpolate_pos_encoding (bool): let CLIP read images of another
            size than its config's ``image_size``.
        loss (dict): the VQA loss. Default ``SoftTargetBCELoss``.
        align_loss (dict, optional): global alignment loss config.
        local_align_loss (dict, optional): local alignment loss config.
        frozen_modules (list[str]): module-name globs to freeze.
        grad_checkpointing (bool): activation checkpointing in every
            transformers block (``vltoolkit.models.utils.memory``).
        lora (dict, optional): LoRA adapters (``r``, ``alpha``, ``dropout``,
            ``target_modules``); see ``docs/retrieval.md``.
        data_preprocessor (dict): default ``VLDataPreprocessor`` (give CLIP's
            mean / std).
    """

    def __init__(
        self,
        clip: dict,
        vilt: dict,
        tokenizer: dict,
        num_answers: int,
        clip_tokenizer: Optional[dict] = None,
        image_tokens: str = 'all',
        interpolate_pos_encoding: bool = False,
        loss: dict = dict(type='SoftTargetBCELoss'),
        align_loss: Optional[dict] = None,
        local_align_loss: Optional[dict] = None,
        frozen_modules=(),
        data_preprocessor: Optional[dict] = None,
        init_cfg=None,
        lora: Optional[dict] = None,
        grad_checkpointing: bool = False,
    ):
        super().__init__(num_answers, loss, data_preprocessor, init_cfg)
        if image_tokens not in IMAGE_TOKENS:
            raise ValueError(f'image_tokens must be one of {IMAGE_TOKENS}, got {image_tokens!r}')
        self.tokenizer = build_tokenizer(tokenizer)
        self.clip_tokenizer = (
            build_tokenizer(clip_tokenizer) if clip_tokenizer is not None else None
        )
        shared = self.clip_tokenizer is None
        self.clip = build_clip(
            vocab_size=len(self.tokenizer) if shared else None,
            pad_token_id=self.tokenizer.pad_token_id if shared else None,
            bos_token_id=self.tokenizer.bos_token_id if shared else None,
            eos_token_id=self.tokenizer.eos_token_id if shared else None,
            **clip,
        )
        self.vilt = build_vilt_qa(
            num_answers,
            vocab_size=len(self.tokenizer),
            pad_token_id=self.tokenizer.pad_token_id,
            **vilt,
        )
        self.image_tokens = image_tokens
        self.interpolate_pos_encoding = interpolate_pos_encoding

        vision_cfg = self.clip.config.vision_config
        hidden = self.vilt.config.hidden_size
        self.num_image_tokens = (vision_cfg.image_size // vision_cfg.patch_size) ** 2 + (
            1 if image_tokens == 'all' else 0
        )
        self.image_proj = nn.Sequential(
            nn.Linear(vision_cfg.hidden_size, hidden), nn.LayerNorm(hidden)
        )
        self.image_pos_embed = nn.Parameter(torch.zeros(1, self.num_image_tokens, hidden))
        nn.init.trunc_normal_(self.image_pos_embed, std=self.vilt.config.initializer_range)

        self.align_loss = LOSSES.build(align_loss) if align_loss else None
        self.local_align_loss = LOSSES.build(local_align_loss) if local_align_loss else None
        unused = ['vilt.vilt.embeddings.patch_embeddings']
        for name in ('cls_token', 'position_embeddings'):
            getattr(self.vilt.vilt.embeddings, name).requires_grad_(False)
        self.clip.logit_scale.requires_grad_(False)
        if self.align_loss is None and self.local_align_loss is None:
            unused += [
                'clip.text_model',
                'clip.text_projection',
                'clip.visual_projection',
                'clip.vision_model.post_layernorm',
            ]
        self.frozen = freeze_modules(self, unused) + freeze_modules(self, frozen_modules)
        self.lora_targets = apply_lora(self, lora)
        self.checkpointed = enable_grad_checkpointing(self) if grad_checkpointing else []
        print_log('\n' + parameter_table_text(self), logger='current')

    @property
    def with_align(self) -> bool:
        return self.align_loss is not None or self.local_align_loss is not None

    # ------------------------------------------------------------ features
    def _clip_text_inputs(self, inputs, data_samples):
        if self.clip_tokenizer is None:
            return inputs['input_ids'], inputs['attention_mask']
        if data_samples is None or any('question' not in s for s in data_samples):
            raise ValueError(
                'with a clip_tokenizer the data samples must carry '
                "the question text: add 'question' to the "
                'PackVLInputs data_keys'
            )
        device = inputs['input_ids'].device
        enc = self.clip_tokenizer([s.question for s in data_samples])
        return enc['input_ids'].to(device), enc['attention_mask'].to(device)

    def extract(self, inputs, data_samples=None, with_aux=False) -> dict:
        images = inputs['images']
        vision = self.clip.vision_model(
            pixel_values=images, interpolate_pos_encoding=self.interpolate_pos_encoding
        )
        tokens = vision.last_hidden_state  # [B, 1+N, Dv], before post_layernorm
        if self.image_tokens == 'patches':
            tokens = tokens[:, 1:]
        if tokens.shape[1] != self.num_image_tokens:
            raise ValueError(
                f'CLIP gave {tokens.shape[1]} image tokens for images of '
                f'{tuple(images.shape[-2:])}, the model expects '
                f'{self.num_image_tokens} (clip vision_config image_size / '
                'patch_size): resize the images to the CLIP image_size.'
            )
        image_embeds = self.image_proj(tokens) + self.image_pos_embed
        pixel_mask = image_embeds.new_ones(image_embeds.shape[:2], dtype=torch.long)
        out = self.vilt.vilt(
            input_ids=inputs['input_ids'],
            attention_mask=inputs['attention_mask'],
            image_embeds=image_embeds,
            pixel_mask=pixel_mask,
        )
        feats = dict(logits=self.vilt.classifier(out.pooler_output))
        if with_aux and self.with_align:
            feats.update(self._align_features(vision, inputs, data_samples))
        return feats

    def _align_features(self, vision, inputs, data_samples) -> dict:
        ids, mask = self._clip_text_inputs(inputs, data_samples)
        text = self.clip.text_model(input_ids=ids, attention_mask=mask)
        last = text.last_hidden_state  # final_layer_norm applied
        eos = mask.long().sum(1) - 1
        feats = dict(text_mask=mask.bool())
        if self.align_loss is not None:
            feats['image_embeds'] = self.clip.visual_projection(vision.pooler_output)
            feats['text_embeds'] = self.clip.text_projection(
                last[torch.arange(last.shape[0], device=last.device), eos]
            )
        if self.local_align_loss is not None:
            patches = self.clip.vision_model.post_layernorm(vision.last_hidden_state[:, 1:])
            feats['patch_embeds'] = self.clip.visual_projection(patches)
            feats['token_embeds'] = self.clip.text_projection(last)
        return feats

    def aux_losses(self, feats, data_samples=None):
        losses = {}
        if self.align_loss is not None:
            losses['loss_align'] = self.align_loss(feats['image_embeds'], feats['text_embeds'])
        if self.local_align_loss is not None:
            losses['loss_local_align'] = self.local_align_loss(
                feats['patch_embeds'], feats['token_embeds'], None, feats['text_mask']
            )
        return losses
