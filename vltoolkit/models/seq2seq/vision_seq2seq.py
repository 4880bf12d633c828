"""The OFA-like vision encoder-decoder with location tokens."""

from typing import Dict, List, Optional

import torch
import torch.nn as nn
from mmengine.logging import print_log
from mmengine.model import BaseModel

from vltoolkit.registry import LABEL_ENCODERS, LOSSES, MODELS
from vltoolkit.structures import IGNORE_INDEX
from vltoolkit.tokenization import build_tokenizer

from ..adapters import apply_lora
from ..language_models.hf_seq2seq import build_hf_seq2seq
from ..utils.freeze import freeze_modules, parameter_table_text
from ..utils.generation_config import build_generation_config, use_generation_config
from ..utils.location_embedding import init_location_embeddings
from ..utils.memory import enable_grad_checkpointing
from ..utils.token_loss import TokenLossMixin, check_loss_chunk_size


@MODELS.register_module()
class VisionSeq2Seq(TokenLossMixin, BaseModel):
    """Image + prompt in, text (with location tokens) out.

    The encoder of a transformers seq2seq LM reads ``[proj(image tokens);
    prompt token embeddings]``; the decoder generates the target text.
    Every part is built from config, and a task is only data (prompt,
    target, metric): there is no task branch here.

    Args:
        vision_encoder (dict): e.g. ``dict(type='TimmVisionEncoder', ...)``.
        language_model (dict): kwargs of :func:`build_hf_seq2seq`
            (``config=dict(...)`` or ``pretrained_path=...``).
        tokenizer (dict): a ``VLTokenizer`` config (shared with the pipeline).
        loss (dict): a LOSSES config taking ``(logits [N, V], target, avg_factor)``.
        label_encoder (dict, optional): a LABEL_ENCODERS config turning target
            ids into distributions; ``None`` passes ids to the loss.
        generation_cfg (dict): the ``generate()`` settings
            (``max_new_tokens``, ``num_beams``, ...): exactly these are used,
            whatever ``generation_config.json`` a pretrained folder carries
            (see :mod:`vltoolkit.models.utils.generation_config`).
        frozen_modules (list[str]): module-name globs whose parameters are
            frozen, e.g. ``['vision_encoder']``.
        loss_normalization (str): ``'token'`` (default): the loss is the mean
            over the target tokens of the global batch; ``'sample'``: each
            sample's tokens weigh ``1 / its target length`` and the loss is
            the mean over samples. Under exact gradient accumulation
            (``ExactAccumulationTrainLoop``) the divisor is the count over the
            whole update, given in ``inputs['avg_factor']``.
        data_preprocessor (dict): defaults to ``VLDataPreprocessor``.
        lora (dict, optional): LoRA adapters on the modules named by
            ``target_modules`` (``dict(r, alpha, dropout, target_modules)``,
            see :func:`vltoolkit.models.adapters.apply_lora`); only the
            adapters are then trainable.
        location_embed_init (str, optional): ``'sincos2d'``: start every
            location token's embedding (tied: also its output row) at the
            sin-cos code of the place it names on the ViT's patch grid, the
            code that ViT adds to that patch (``pos_embed='sincos2d'``), see
            :mod:`vltoolkit.models.utils.location_embedding`; ``None``
            (default): the language model's own random init. For models
            trained from scratch: a pretrained model's learnt embeddings
            are overwritten.
        grad_checkpointing (bool): recompute the activations of every ViT
            and BART block in the backward pass instead of keeping them
            (:func:`~vltoolkit.models.utils.memory.enable_grad_checkpointing`):
            less memory, about one more forward of compute.
        loss_chunk_size (int, optional): compute the training loss from the
            decoder's hidden states and the LM head, this many target
            positions at a time, never holding the ``[B, T, V]`` logits
            (:class:`~vltoolkit.models.utils.token_loss.TokenLossMixin`; same
            loss and gradients); None (default): the full logits.

    ``forward(inputs, data_samples, mode)``:

    - ``mode='loss'``: ``dict(loss_token=...)``, the loss over target tokens,
      averaged over the target tokens of the *global* batch (all ranks).
    - ``mode='predict'``: the data samples with ``pred_text`` set.
    - ``mode='tensor'``: the decoder logits ``[B, T, V]``.
    """

    def __init__(
        self,
        vision_encoder: dict,
        language_model: dict,
        tokenizer: dict,
        loss: dict = dict(type='TokenCrossEntropyLoss'),
        label_encoder: Optional[dict] = None,
        generation_cfg: dict = dict(max_new_tokens=32, num_beams=1),
        frozen_modules=(),
        loss_normalization: str = 'token',
        data_preprocessor: Optional[dict] = None,
        init_cfg=None,
        lora: Optional[dict] = None,
        grad_checkpointing: bool = False,
        location_embed_init: Optional[str] = None,
        loss_chunk_size: Optional[int] = None,
    ):
        if loss_normalization not in ('token', 'sample'):
            raise ValueError(
                f'loss_normalization={loss_normalization!r}: use \'token\' or \'sample\''
            )
        if data_preprocessor is None:
            data_preprocessor = dict(type='VLDataPreprocessor')
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.tokenizer = build_tokenizer(tokenizer)
        self.vision_encoder = MODELS.build(vision_encoder)
        self.language_model = build_hf_seq2seq(
            vocab_size=len(self.tokenizer),
            pad_token_id=self.tokenizer.pad_token_id,
            bos_token_id=self.tokenizer.bos_token_id,
            eos_token_id=self.tokenizer.eos_token_id,
            **language_model,
        )
        d_model = self.language_model.config.d_model
        if location_embed_init is not None:
            self._init_location_embeddings(location_embed_init)
        self.visual_proj = nn.Sequential(
            nn.Linear(self.vision_encoder.out_channels, d_model), nn.LayerNorm(d_model)
        )
        self.loss_module = LOSSES.build(loss)
        self.label_encoder = (
            LABEL_ENCODERS.build(label_encoder) if label_encoder is not None else None
        )
        self.generation_cfg = dict(generation_cfg)
        lm_config = self.language_model.config
        use_generation_config(
            self.language_model,
            build_generation_config(
                self.generation_cfg,
                pad_token_id=self.tokenizer.pad_token_id,
                eos_token_id=self.tokenizer.eos_token_id,
                decoder_start_token_id=lm_config.decoder_start_token_id,
            ),
        )
        self.loss_normalization = loss_normalization
        self.loss_chunk_size = check_loss_chunk_size(loss_chunk_size)
        self.frozen = freeze_modules(self, frozen_modules)
        self.lora_targets = apply_lora(self, lora)
        self.checkpointed = enable_grad_checkpointing(self) if grad_checkpointing else []
        print_log('\n' + parameter_table_text(self), logger='current')

    def _init_location_embeddings(self, how: str) -> None:
        if how != 'sincos2d':
            raise ValueError(f"location_embed_init={how!r}: use 'sincos2d' or None")
        grid = getattr(
            getattr(getattr(self.vision_encoder, 'model', None), 'patch_embed', None),
            'grid_size',
            None,
        )
        if grid is None:
            raise ValueError(
                "location_embed_init='sincos2d' places location "
                'tokens on the patch grid of a ViT-like vision '
                'encoder; this vision encoder has no patch_embed.grid_size'
            )
        config = self.language_model.config
        init_location_embeddings(
            self.language_model.get_input_embeddings(),
            self.tokenizer.location_token_ids,
            self.tokenizer.box_coder,
            grid,
            std=getattr(config, 'init_std', getattr(config, 'initializer_range', 0.02)),
        )

    # ------------------------------------------------------------- encoder
    def encode(self, images: torch.Tensor, input_ids: torch.Tensor, attention_mask: torch.Tensor):
        """Encoder inputs: embeddings ``[B, N+S, D]`` and their mask."""
        visual = self.visual_proj(self.vision_encoder(images))
        text = self.language_model.get_input_embeddings()(input_ids)
        embeds = torch.cat([visual, text.to(visual.dtype)], dim=1)
        mask = torch.cat([attention_mask.new_ones(visual.shape[:2]), attention_mask], dim=1)
        return embeds, mask

    def forward(
        self,
        inputs: Dict[str, torch.Tensor],
        data_samples: Optional[List] = None,
        mode: str = 'tensor',
    ):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self._logits(inputs)
        raise ValueError(f'unknown mode {mode!r}: use loss, predict or tensor')

    def _logits(self, inputs):
        embeds, mask = self.encode(inputs['images'], inputs['input_ids'], inputs['attention_mask'])
        labels = inputs['labels']
        decoder_input_ids = self._shift_right(labels)
        return self.lm_logits(
            self.language_model,
            inputs_embeds=embeds,
            attention_mask=mask,
            decoder_input_ids=decoder_input_ids,
            use_cache=False,
        )

    def _shift_right(self, labels: torch.Tensor) -> torch.Tensor:
        start = self.language_model.config.decoder_start_token_id
        shifted = labels.new_full(labels.shape, self.tokenizer.pad_token_id)
        shifted[:, 1:] = labels[:, :-1]
        shifted[:, 0] = start
        return shifted.masked_fill(shifted == IGNORE_INDEX, self.tokenizer.pad_token_id)

    # ---------------------------------------------------------------- loss
    def loss(self, inputs, data_samples=None) -> Dict[str, torch.Tensor]:
        with self.loss_from_hidden_states():  # logits, or the LM head's input when chunked
            logits = self._logits(inputs)
        loss = self.token_loss(
            logits,
            inputs['labels'],
            inputs.get('avg_factor'),
            number_places=inputs.get('number_places'),
        )
        return dict(loss_token=loss)

    def loss_units(self, inputs) -> torch.Tensor:
        """What the loss is averaged over in this batch: its target tokens
        (``loss_normalization='token'``) or its samples (``'sample'``)."""
        return self.count_loss_units(inputs['labels'])

    # ------------------------------------------------------------- predict
    @torch.no_grad()
    def predict(self, inputs, data_samples):
        embeds, mask = self.encode(inputs['images'], inputs['input_ids'], inputs['attention_mask'])
        out_ids = self.language_model.generate(
            inputs_embeds=embeds,
            attention_mask=mask,
            generation_config=self.language_model.generation_config,
        )
        texts = self.tokenizer.batch_decode(out_ids)
        for sample, text in zip(data_samples, texts):
            sample.pred_text = text
        return data_samples
