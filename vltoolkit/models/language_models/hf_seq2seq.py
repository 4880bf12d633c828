"""Build a transformers encoder-decoder from a config dict or a local path."""
import os.path as osp

from transformers import AutoConfig, AutoModelForSeq2SeqLM

from vltoolkit.compat.init_weights import mark_initialized


def build_hf_seq2seq(vocab_size: int, pad_token_id: int, bos_token_id: int,
                     eos_token_id: int, config: dict = None,
                     pretrained_path: str = None):
    """A transformers seq2seq LM (BART family by default) sized to a vocab.

    Args:
        vocab_size, pad_token_id, bos_token_id, eos_token_id: from the
            tokenizer; the embeddings are resized to ``vocab_size`` (location
            tokens included).
        config (dict, optional): kwargs of the model config, with
            ``model_type`` (default ``'bart'``) for a randomly initialised
            model, e.g. ``dict(d_model=128, encoder_layers=2, ...)``.
        pretrained_path (str, optional): a local folder saved with
            ``save_pretrained``; nothing is downloaded.
    """
    if (config is None) == (pretrained_path is None):
        raise ValueError('give exactly one of `config` (a dict of model config '
                         'kwargs) or `pretrained_path` (a local folder)')
    if pretrained_path is not None:
        if not osp.isdir(pretrained_path):
            raise FileNotFoundError(
                f'language model folder {pretrained_path!r} does not exist; '
                'save one with `model.save_pretrained(DIR)`.')
        model = AutoModelForSeq2SeqLM.from_pretrained(
            pretrained_path, local_files_only=True)
        if model.get_input_embeddings().num_embeddings != vocab_size:
            model.resize_token_embeddings(vocab_size)
    else:
        config = dict(config)
        model_type = config.pop('model_type', 'bart')
        hf_config = AutoConfig.for_model(
            model_type, vocab_size=vocab_size, pad_token_id=pad_token_id,
            bos_token_id=bos_token_id, eos_token_id=eos_token_id,
            decoder_start_token_id=eos_token_id,
            forced_bos_token_id=None, forced_eos_token_id=None, **config)
        model = AutoModelForSeq2SeqLM.from_config(hf_config)
    return mark_initialized(model)
