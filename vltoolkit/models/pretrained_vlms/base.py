"""What every pretrained VLM wrapper shares: building the transformers model
(``pretrained=`` or ``config=``), the tokenizer, freezing / LoRA, the token
loss, clean generation and the ``loss`` / ``predict`` / ``tensor`` modes."""

from typing import Dict, List, Optional

import torch
from mmengine.logging import print_log
from mmengine.model import BaseModel

from vltoolkit.compat.init_weights import mark_initialized
from vltoolkit.registry import LABEL_ENCODERS, LOSSES
from vltoolkit.structures import IGNORE_INDEX
from vltoolkit.tokenization import build_tokenizer

from ..adapters import apply_lora
from ..utils.attention import choose_attn_implementation
from ..utils.freeze import freeze_modules, parameter_table_text
from ..utils.generation_config import build_generation_config, use_generation_config
from ..utils.memory import enable_grad_checkpointing
from ..utils.token_loss import TokenLossMixin, check_loss_chunk_size
from .added_tokens import add_token_rows, train_only_rows_from
from .loading import PretrainedVLMError, load_pretrained, read_image_settings


class PretrainedVLM(TokenLossMixin, BaseModel):
    """Base of the wrappers around transformers' pretrained VLMs.

    A subclass names its transformers class (:attr:`hf_class_name`), its
    ``model_type``, a hub example, and implements :meth:`_logits_and_labels`
    (a batch -> logits ``[B, T, V]``, computed through :meth:`lm_logits`
    (which hands a chunked loss the LM head's input instead), and the
    aligned target ids ``[B, T]``)
    and :meth:`_generate` (a batch -> generated answer ids ``[B, T']``).
    Everything else is here, once.

    Args:
        tokenizer (dict): a ``VLTokenizer`` config over the model's own
            tokenizer (``path`` = the pretrained folder, or a tokenizer
            folder for ``config=`` models) with the box coder of the model's
            own box format and ``add_location_tokens=False``: location
            tokens, if the format has any, must already be in the vocabulary
            (no new token, no embedding resize); a text box format (numbers
            in the answer) has none.
        pretrained (str, optional): a hub name (resolved through the local
            cache; ``HF_HUB_OFFLINE=1`` is respected) or a local folder
            saved with ``save_pretrained``. Never ``trust_remote_code``.
        config (dict, optional): kwargs of the model's config class, for a
            randomly initialised model of any size (``vision_config`` /
            ``text_config`` dicts). Exactly one of ``pretrained`` / ``config``.
        loss (dict): a LOSSES config (token CE, GEM).
        label_encoder (dict, optional): a LABEL_ENCODERS config (one-hot,
            distance-inverse); None passes ids to the loss.
        generation_cfg (dict): ``GenerationConfig`` keys; the generation
            config is built from them alone (the folder's
            ``generation_config.json`` is ignored, see
            :func:`~vltoolkit.models.utils.generation_config.build_generation_config`).
        frozen_modules (list[str]): module-name globs frozen (e.g. the
            vision tower).
        lora (dict, optional): LoRA adapters through peft
            (:func:`~vltoolkit.models.adapters.apply_lora`); only the
            adapters (and ``lora.trainable``) are then trained.
        loss_normalization (str): ``'token'`` or ``'sample'``
            (:class:`~vltoolkit.models.utils.token_loss.TokenLossMixin`).
        dtype (str, optional): ``from_pretrained`` dtype (``'bfloat16'``).
        attn_implementation (str, optional): ``'eager'``, ``'sdpa'``,
            ``'flash_attention_2'``; None picks the fastest available
            (:func:`~vltoolkit.models.utils.attention.choose_attn_implementation`).
        grad_checkpointing (bool): recompute activations in the backward
            pass (:func:`~vltoolkit.models.utils.memory.enable_grad_checkpointing`).
        check_image_size (bool): refuse images whose size differs from the
            pretrained processor's (default True): the data pipeline must
            resize to what the model was trained on.
        loss_chunk_size (int, optional): the training loss from the LM
            head's input and the head, this many target positions at a time,
            never holding the ``[B, T, V]`` logits (same loss and gradients;
            :class:`~vltoolkit.models.utils.token_loss.TokenLossMixin`); the
            large-vocabulary recipes set it (docs/benchmarks.md). None: the
            full logits.
        added_tokens (dict, optional): grow the vocabulary to the
            tokenizer's, for location tokens the model did not have
            (:func:`~vltoolkit.models.pretrained_vlms.added_tokens.add_token_rows`:
            ``init='sincos'`` or ``'digit_mean'``, ``grid``,
            ``train_new_rows_only``); the tokenizer then has
            ``add_location_tokens=True``. None (default): nothing added.
        data_preprocessor (dict, optional): default ``VLDataPreprocessor``
            with the mean / std of the pretrained folder's
            ``preprocessor_config.json`` (ImageNet's when there is none).

    ``forward(inputs, data_samples, mode)``: ``'loss'`` -> ``dict(loss_token)``
    (mean over the answer tokens of the global batch); ``'predict'`` -> the
    samples with ``pred_text``; ``'tensor'`` -> the logits ``[B, T, V]``.
    """

    hf_class_name: str = ''
    hf_config_class_name: str = ''
    model_type: str = ''
    hub_example: str = ''

    def __init__(
        self,
        tokenizer: dict,
        pretrained: Optional[str] = None,
        config: Optional[dict] = None,
        loss: dict = dict(type='TokenCrossEntropyLoss'),
        label_encoder: Optional[dict] = None,
        generation_cfg: dict = dict(max_new_tokens=32, num_beams=1),
        frozen_modules=(),
        lora: Optional[dict] = None,
        loss_normalization: str = 'token',
        dtype: Optional[str] = None,
        check_image_size: bool = True,
        attn_implementation: Optional[str] = None,
        grad_checkpointing: bool = False,
        data_preprocessor: Optional[dict] = None,
        init_cfg=None,
        loss_chunk_size: Optional[int] = None,
        added_tokens: Optional[dict] = None,
    ):
        if loss_normalization not in ('token', 'sample'):
            raise ValueError(
                f'loss_normalization={loss_normalization!r}: use \'token\' or \'sample\''
            )
        if (pretrained is None) == (config is None):
            raise ValueError(
                f'{type(self).__name__}: give exactly one of '
                '`pretrained` (hub name or folder) or `config` '
                '(a dict for a randomly initialised model)'
            )
        self.image_settings = read_image_settings(pretrained) if pretrained is not None else None
        if data_preprocessor is None:
            data_preprocessor = dict(type='VLDataPreprocessor')
            if self.image_settings is not None:
                data_preprocessor.update(
                    mean=self.image_settings['mean'], std=self.image_settings['std']
                )
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        # the model first: a bad `pretrained=` is reported as such, with
        # how to fetch the weights, before its tokenizer folder is looked at
        self.hf_model = self._build_hf_model(pretrained, config, dtype, attn_implementation)
        self.tokenizer = build_tokenizer(tokenizer)
        added = dict(added_tokens or {})
        only_new = added.pop('train_new_rows_only', False)
        self.first_added_token = (
            add_token_rows(self.hf_model, self.tokenizer, **added) if added_tokens else None
        )
        self._check_vocabulary()
        self.loss_module = LOSSES.build(loss)
        self.label_encoder = (
            LABEL_ENCODERS.build(label_encoder) if label_encoder is not None else None
        )
        self.loss_normalization = loss_normalization
        self.loss_chunk_size = check_loss_chunk_size(loss_chunk_size)
        self.generation_cfg = dict(generation_cfg)
        # installed on the HF model too: generate() fills every setting left
        # unset from the model's own generation_config (the folder's file)
        self.generation_config = use_generation_config(
            self.hf_model, self._generation_config(), name=type(self).__name__
        )
        self.check_image_size = check_image_size
        self.frozen = freeze_modules(self, frozen_modules)
        self.lora_targets = apply_lora(self, lora)
        self.checkpointed = enable_grad_checkpointing(self) if grad_checkpointing else []
        if only_new:
            train_only_rows_from(self, self.hf_model, self.first_added_token)
        print_log('\n' + parameter_table_text(self), logger='current')

    # -------------------------------------------------------------- building
    def _hf_class(self):
        import transformers

        return getattr(transformers, self.hf_class_name)

    def _build_hf_model(self, pretrained, config, dtype, attn_implementation):
        hf_class = self._hf_class()
        attn = choose_attn_implementation(hf_class, attn_implementation)
        attn_kwargs = {} if attn is None else dict(attn_implementation=attn)
        if pretrained is not None:
            kwargs = {} if dtype is None else dict(dtype=getattr(torch, dtype))
            model = load_pretrained(
                hf_class, pretrained, self.model_type, self.hub_example, **kwargs, **attn_kwargs
            )
        else:
            import transformers

            config_class = getattr(transformers, self.hf_config_class_name)
            hf_config = config_class(**dict(config))
            if attn is not None:
                hf_config._attn_implementation = attn
            # built in `dtype` directly: no float32 copy of a real-size model
            default = torch.get_default_dtype()
            if dtype is not None:
                torch.set_default_dtype(getattr(torch, dtype))
            try:
                model = hf_class(hf_config)
            finally:
                torch.set_default_dtype(default)
            if dtype is not None:
                model = model.to(getattr(torch, dtype))
        return mark_initialized(model)  # mmengine must not re-initialise its weights

    def _check_vocabulary(self):
        """Every id of the tokenizer (location tokens included, if the box
        format has any; text numbers have none) is inside the model's
        embedding matrix (nothing added, nothing resized)."""
        rows = self.hf_model.get_input_embeddings().num_embeddings
        ids = getattr(self.tokenizer, 'location_token_ids', None)
        top = len(self.tokenizer) - 1
        if ids is not None and len(ids):
            top = max(top, int(ids.max()))
        if top >= rows:
            raise PretrainedVLMError(
                f'the tokenizer {self.tokenizer!r} has ids up to {top} but the model '
                f'embeds {rows} tokens: use the tokenizer saved with the model '
                '(its location tokens are part of its vocabulary)'
            )

    def _generation_config(self):
        tok = self.tokenizer
        return build_generation_config(
            self.generation_cfg,
            pad_token_id=tok.pad_token_id,
            eos_token_id=tok.eos_token_id,
            bos_token_id=tok.bos_token_id,
            decoder_start_token_id=self._decoder_start_token_id(),
        )

    def _decoder_start_token_id(self):
        return None

    # ---------------------------------------------------------------- modes
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
            return self._logits_and_labels(inputs)[0]
        raise ValueError(f'unknown mode {mode!r}: use loss, predict or tensor')

    def loss(self, inputs, data_samples=None) -> Dict[str, torch.Tensor]:
        self._check_images(inputs['images'])
        with self.loss_from_hidden_states():  # logits, or the LM head's input when chunked
            logits, labels, places = self._loss_inputs(inputs)
        loss = self.token_loss(logits, labels, inputs.get('avg_factor'), number_places=places)
        return dict(loss_token=loss)

    def _loss_inputs(self, inputs):
        """``(logits, target ids [B, T], number places [B, T] or None)``:
        the places of the pipeline's ``number_places`` aligned with the
        targets (encoder-decoder models: the labels as they are)."""
        logits, labels = self._logits_and_labels(inputs)
        return logits, labels, inputs.get('number_places')

    def loss_units(self, inputs) -> torch.Tensor:
        """Answer tokens (or samples) of this batch, as the loss counts them."""
        return self.count_loss_units(self.answer_ids_as_labels(inputs['labels']))

    def answer_ids_as_labels(self, labels: torch.Tensor) -> torch.Tensor:
        """The target ids the loss is computed on, ``[B, T]`` (-100 padded).
        Encoder-decoder models use the pipeline's labels as they are."""
        return labels

    @torch.no_grad()
    def predict(self, inputs, data_samples):
        self._check_images(inputs['images'])
        out_ids = self._generate(inputs)
        texts = self.tokenizer.batch_decode(out_ids)
        for sample, text in zip(data_samples, texts):
            sample.pred_text = text
        return data_samples

    def _check_images(self, images: torch.Tensor):
        size = (self.image_settings or {}).get('size')
        if self.check_image_size and size and tuple(images.shape[-2:]) != size:
            raise ValueError(
                f'{type(self).__name__}: images of size (h, w) = '
                f'{tuple(images.shape[-2:])}, but the pretrained processor '
                f'expects {size}: resize to it in the data pipeline '
                f"(ResizeImageAndBoxes scale=({size[1]}, {size[0]})), or set "
                'check_image_size=False'
            )

    # ------------------------------------------------------------- helpers
    @staticmethod
    def _strip(ids: torch.Tensor, drop_first=None, drop_last=None):
        """A 1-D id row without a leading ``drop_first`` / trailing
        ``drop_last`` id."""
        if drop_first is not None and len(ids) and int(ids[0]) == drop_first:
            ids = ids[1:]
        if drop_last is not None and len(ids) and int(ids[-1]) == drop_last:
            ids = ids[:-1]
        return ids

    @staticmethod
    def _pad_right(rows, value):
        longest = max(len(r) for r in rows)
        out = rows[0].new_full((len(rows), longest), value)
        for i, row in enumerate(rows):
            out[i, : len(row)] = row
        return out

    def _logits_and_labels(self, inputs):
        raise NotImplementedError

    def _generate(self, inputs) -> torch.Tensor:
        raise NotImplementedError


__all__ = ['PretrainedVLM', 'IGNORE_INDEX']
