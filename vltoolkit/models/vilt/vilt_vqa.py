"""The ViLT baseline for VQA (the CLIP+ViLT study's baseline)."""

from typing import Optional

from mmengine.logging import print_log

from vltoolkit.models.adapters.lora import apply_lora
from vltoolkit.registry import MODELS
from vltoolkit.tokenization import build_tokenizer

from ..utils.freeze import freeze_modules, parameter_table_text
from ..utils.memory import enable_grad_checkpointing
from .base_vqa_classifier import BaseVQAClassifier
from .hf_vilt import build_vilt_qa


@MODELS.register_module()
class ViLTVQA(BaseVQAClassifier):
    """ViLT (``transformers.ViltModel``) + its VQA answer classifier.

    The image enters through ViLT's own patch projection; the question
    through ViLT's (BERT) text embeddings; one transformer reads
    ``[text; image patches]`` and the classifier scores the answers from the
    pooled first token. Trained with BCE against the VQA soft scores.

    Args:
        vilt (dict): ``dict(config=dict(...))`` (``ViltConfig`` kwargs) or
            ``dict(pretrained_path=...)`` (a local folder); see
            :func:`~vltoolkit.models.vilt.hf_vilt.build_vilt_qa`.
        tokenizer (dict): the pipeline's tokenizer config (sizes the word
            embeddings), e.g. ``dict(type='HFTokenizer', path=...,
            max_length=40)``.
        num_answers (int): the answer vocabulary size (``answer_file``).
        loss (dict): the VQA loss. Default ``SoftTargetBCELoss``.
        frozen_modules (list[str]): module-name globs to freeze.
        grad_checkpointing (bool): activation checkpointing in every
            transformers block (``vltoolkit.models.utils.memory``).
        lora (dict, optional): LoRA adapters (``r``, ``alpha``, ``dropout``,
            ``target_modules``); see ``docs/retrieval.md``.
        data_preprocessor (dict): default ``VLDataPreprocessor``; ViLT's
            normalisation is ``mean=std=(127.5,) * 3``.

    See :class:`BaseVQAClassifier` for ``forward`` modes.
    """

    def __init__(
        self,
        vilt: dict,
        tokenizer: dict,
        num_answers: int,
        loss: dict = dict(type='SoftTargetBCELoss'),
        frozen_modules=(),
        data_preprocessor: Optional[dict] = None,
        init_cfg=None,
        lora: Optional[dict] = None,
        grad_checkpointing: bool = False,
    ):
        super().__init__(num_answers, loss, data_preprocessor, init_cfg)
        self.tokenizer = build_tokenizer(tokenizer)
        self.vilt = build_vilt_qa(
            num_answers,
            vocab_size=len(self.tokenizer),
            pad_token_id=self.tokenizer.pad_token_id,
            **vilt,
        )
        self.frozen = freeze_modules(self, frozen_modules)
        self.lora_targets = apply_lora(self, lora)
        self.checkpointed = enable_grad_checkpointing(self) if grad_checkpointing else []
        print_log('\n' + parameter_table_text(self), logger='current')

    def extract(self, inputs, data_samples=None, with_aux=False) -> dict:
        images = inputs['images']
        out = self.vilt.vilt(
            input_ids=inputs['input_ids'],
            attention_mask=inputs['attention_mask'],
            pixel_values=images,
            pixel_mask=self.pixel_mask(images, data_samples),
        )
        return dict(logits=self.vilt.classifier(out.pooler_output))
