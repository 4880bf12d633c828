"""Build transformers' CLIP (the CLIP half of CLIP+ViLT)."""

import torch

from vltoolkit.compat.init_weights import mark_initialized

from ..vilt.hf_vilt import check_one_source


def build_clip(
    config: dict = None,
    pretrained_path: str = None,
    vocab_size: int = None,
    pad_token_id: int = None,
    bos_token_id: int = None,
    eos_token_id: int = None,
):
    """A ``transformers.CLIPModel`` (vision tower, text tower, projections).

    Args:
        config (dict, optional): ``CLIPConfig`` kwargs (``text_config``,
            ``vision_config`` dicts, ``projection_dim``), random weights.
        pretrained_path (str, optional): a local ``save_pretrained`` folder,
            e.g. of ``openai/clip-vit-base-patch32``.
        vocab_size, pad_token_id, bos_token_id, eos_token_id: when the text
            tower shares the recipe's tokenizer (from-scratch models), its
            embeddings are sized to it.
    """
    from transformers import CLIPConfig, CLIPModel

    check_one_source(config, pretrained_path, 'CLIP')
    if pretrained_path is not None:
        model = CLIPModel.from_pretrained(pretrained_path, local_files_only=True)
        if (
            vocab_size is not None
            and model.text_model.embeddings.token_embedding.num_embeddings != vocab_size
        ):
            raise ValueError(
                f'the CLIP text tower of {pretrained_path!r} has a vocabulary of '
                f'{model.text_model.embeddings.token_embedding.num_embeddings} '
                f'tokens, the recipe tokenizer {vocab_size}: give the model a '
                '`clip_tokenizer` (the CLIP tokenizer folder) instead.'
            )
    else:
        config = dict(config)
        text_config = dict(config.pop('text_config', {}))
        for key, value in (
            ('vocab_size', vocab_size),
            ('pad_token_id', pad_token_id),
            ('bos_token_id', bos_token_id),
            ('eos_token_id', eos_token_id),
        ):
            if value is not None:
                text_config[key] = value
        model = CLIPModel(CLIPConfig(text_config=text_config, **config))
    return mark_initialized(model)


def pooled_tensor(output) -> torch.Tensor:
    """The projected vector of ``CLIPModel.get_image_features`` /
    ``get_text_features``: a tensor in transformers 4, a
    ``BaseModelOutputWithPooling`` (``.pooler_output``) in transformers 5."""
    return output if torch.is_tensor(output) else output.pooler_output
