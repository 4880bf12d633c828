"""Build transformers' ViLT from a config dict or a local folder."""

import os.path as osp

import torch.nn as nn

from vltoolkit.compat.init_weights import mark_initialized


def check_one_source(config, pretrained_path, what):
    """Weights come from ``pretrained_path`` when given; a ``config`` given
    with it only describes the architecture (sizing without files,
    ``vltoolkit.models.utils.sizing``)."""
    if config is None and pretrained_path is None:
        raise ValueError(
            f'{what}: give `config` (a dict of model config kwargs), '
            '`pretrained_path` (a local folder), or both'
        )
    if pretrained_path is not None and not osp.isdir(pretrained_path):
        raise FileNotFoundError(
            f'{what} folder {pretrained_path!r} does not exist; save one with '
            '`model.save_pretrained(DIR)` (vltoolkit never downloads weights).'
        )


def build_vilt_qa(
    num_answers: int,
    vocab_size: int = None,
    pad_token_id: int = None,
    config: dict = None,
    pretrained_path: str = None,
):
    """A ``transformers.ViltForQuestionAnswering`` with ``num_answers`` outputs.

    Its classifier is ViLT's VQA head, ``Linear(h, 2h) -> LayerNorm -> GELU
    -> Linear(2h, num_answers)`` on the pooled first token.

    Args:
        num_answers (int): size of the answer vocabulary.
        vocab_size, pad_token_id: from the tokenizer; the word embeddings are
            sized (or resized) to ``vocab_size``.
        config (dict, optional): ``ViltConfig`` kwargs, random weights. The
            patch-position embeddings and the image [CLS] token, which
            ViltConfig initialises to zeros (ViLT loads them pretrained), get
            ``trunc_normal(std=initializer_range)`` as in ViT.
        pretrained_path (str, optional): a local ``save_pretrained`` folder
            (e.g. of ``dandelin/vilt-b32-mlm`` or ``-finetuned-vqa``); a head
            of another size is re-initialised.
    """
    from transformers import ViltConfig, ViltForQuestionAnswering

    check_one_source(config, pretrained_path, 'ViLT')
    if pretrained_path is not None:
        model = ViltForQuestionAnswering.from_pretrained(
            pretrained_path,
            num_labels=num_answers,
            local_files_only=True,
            ignore_mismatched_sizes=True,
        )
        if vocab_size is not None and model.get_input_embeddings().num_embeddings != vocab_size:
            model.resize_token_embeddings(vocab_size)
    else:
        config = dict(config)
        if vocab_size is not None:
            config['vocab_size'] = vocab_size
        if pad_token_id is not None:
            config['pad_token_id'] = pad_token_id
        model = ViltForQuestionAnswering(ViltConfig(num_labels=num_answers, **config))
        emb = model.vilt.embeddings
        std = model.config.initializer_range
        nn.init.trunc_normal_(emb.position_embeddings, std=std)
        nn.init.trunc_normal_(emb.cls_token, std=std)
    return mark_initialized(model)
