"""Build a transformers encoder-decoder from a config dict or a local path."""

import os.path as osp
import warnings

from transformers import AutoConfig, AutoModelForSeq2SeqLM

from vltoolkit.compat.init_weights import mark_initialized

from ..utils.attention import choose_attn_implementation


def build_hf_seq2seq(
    vocab_size: int,
    pad_token_id: int,
    bos_token_id: int,
    eos_token_id: int,
    config: dict = None,
    pretrained_path: str = None,
    attn_implementation: str = None,
):
    """A transformers seq2seq LM (BART family by default) sized to a vocab.

    Args:
        vocab_size, pad_token_id, bos_token_id, eos_token_id: from the
            tokenizer; the embeddings are resized to ``vocab_size`` (location
            tokens included).
        config (dict, optional): kwargs of the model config, with
            ``model_type`` (default ``'bart'``) for a randomly initialised
            model, e.g. ``dict(d_model=128, encoder_layers=2, ...)``.
        pretrained_path (str, optional): a local folder saved with
            ``save_pretrained``; nothing is downloaded. Given together with
            ``config``, ``config`` describes the architecture the weights
            must have (a mismatch warns on loading) and lets tools size the model
            with no files on disk (``tools/analysis/count_params.py``).
        attn_implementation (str, optional): ``'sdpa'``, ``'flash_attention_2'``
            or ``'eager'``; default: flash attention where installed, else
            sdpa (:func:`~vltoolkit.models.utils.attention.choose_attn_implementation`).
    """
    if config is None and pretrained_path is None:
        raise ValueError(
            'give `config` (a dict of model config kwargs), '
            '`pretrained_path` (a local folder), or both'
        )
    if pretrained_path is not None:
        if not osp.isdir(pretrained_path):
            raise FileNotFoundError(
                f'language model folder {pretrained_path!r} does not exist; '
                'save one with `model.save_pretrained(DIR)`.'
            )
        hf_config = AutoConfig.from_pretrained(pretrained_path, local_files_only=True)
        if config is not None:
            _check_architecture(hf_config, config, pretrained_path)
        attn = choose_attn_implementation(
            AutoModelForSeq2SeqLM._model_mapping[type(hf_config)], attn_implementation
        )
        model = AutoModelForSeq2SeqLM.from_pretrained(
            pretrained_path,
            local_files_only=True,
            **({} if attn is None else dict(attn_implementation=attn)),
        )
        if model.get_input_embeddings().num_embeddings != vocab_size:
            model.resize_token_embeddings(vocab_size)
    else:
        config = dict(config)
        model_type = config.pop('model_type', 'bart')
        hf_config = AutoConfig.for_model(
            model_type,
            vocab_size=vocab_size,
            pad_token_id=pad_token_id,
            bos_token_id=bos_token_id,
            eos_token_id=eos_token_id,
            decoder_start_token_id=eos_token_id,
            forced_bos_token_id=None,
            forced_eos_token_id=None,
            **config,
        )
        attn = choose_attn_implementation(
            AutoModelForSeq2SeqLM._model_mapping[type(hf_config)], attn_implementation
        )
        model = AutoModelForSeq2SeqLM.from_config(
            hf_config, **({} if attn is None else dict(attn_implementation=attn))
        )
    return mark_initialized(model)


def _check_architecture(hf_config, expected: dict, path: str) -> None:
    """Warn if the saved config of ``path`` differs from ``expected`` in a
    size key (regularisation keys such as dropouts are not compared)."""
    expected = dict(expected)
    model_type = expected.pop('model_type', 'bart')
    wrong = (
        [f'model_type: {hf_config.model_type!r} != {model_type!r}']
        if hf_config.model_type != model_type
        else []
    )
    wrong += [
        f'{key}: {getattr(hf_config, key, None)!r} != {value!r}'
        for key, value in expected.items()
        if 'dropout' not in key and getattr(hf_config, key, None) != value
    ]
    if wrong:
        warnings.warn(
            f'language model folder {path!r} does not have the architecture '
            f'the config describes ({"; ".join(wrong)}); the folder\'s is used, '
            'but tools that size the recipe without files (count_params.py) '
            'read the config: fix model.language_model.config.',
            stacklevel=3,
        )
