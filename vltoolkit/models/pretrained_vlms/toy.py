"""Tiny random Florence-2 / PaliGemma / Kosmos-2 folders, built offline.

:func:`save_toy_vlm` writes what a hub download holds, at toy size: a
word-level tokenizer trained on the given texts that holds the model's own
special tokens (image placeholder, the *native* location tokens, Kosmos-2's
tags), a randomly initialised model of the real architecture with tiny
widths, and a ``preprocessor_config.json`` with the image size, mean and
std. Recipes and tests load the folder through ``pretrained=`` (the
``from_pretrained`` path of real checkpoints). ``tools/data/make_toy_vlm.py``
is the command line.
"""

import os

from vltoolkit.tokenization import Florence2BoxCoder, PaliGemmaBoxCoder, PatchIndexBoxCoder

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
FAMILIES = ('florence2', 'paligemma', 'kosmos2')
# CLIP's pixel mean / std (Florence-2 and Kosmos-2 use ImageNet / CLIP
# statistics, PaliGemma 0.5 / 0.5)
_STATS = dict(
    florence2=((0.485, 0.456, 0.406), (0.229, 0.224, 0.225)),
    paligemma=((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)),
    kosmos2=((0.48145466, 0.4578275, 0.40821073), (0.26862954, 0.26130258, 0.27577711)),
)


def location_tokens(family: str) -> list:
    """The native location tokens of a family."""
    coder = dict(
        florence2=Florence2BoxCoder, paligemma=PaliGemmaBoxCoder, kosmos2=PatchIndexBoxCoder
    )[family]()
    return coder.location_tokens


def _check_family(family):
    if family not in FAMILIES:
        raise ValueError(f'family {family!r}: use one of {FAMILIES}')


def build_toy_tokenizer(family: str, texts, out_dir: str):
    """A word-level tokenizer over ``texts`` holding the family's tokens."""
    from transformers import AddedToken

    from vltoolkit.tokenization.word_level import train_word_level_tokenizer

    _check_family(family)
    special = ['<image>'] if family != 'kosmos2' else []
    special += location_tokens(family)
    tok = train_word_level_tokenizer(texts, out_dir, special_tokens=special)
    if family == 'kosmos2':
        # Kosmos2Processor adds its tags as ordinary (non-special) tokens:
        # decoding keeps them, as generated answers need
        tok.add_tokens(
            [AddedToken(t, lstrip=True, rstrip=False, normalized=False) for t in KOSMOS2_TAGS]
        )
        tok.save_pretrained(out_dir)
    return tok


def toy_config(family: str, tok, image_size: int = 96, width: int = 64) -> dict:
    """Config kwargs of a tiny model of the family for tokenizer ``tok``."""
    _check_family(family)
    ids = dict(
        vocab_size=len(tok),
        pad_token_id=tok.pad_token_id,
        bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id,
    )
    if family == 'florence2':
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
    if family == 'paligemma':
        return dict(
            vision_config=dict(
                model_type='siglip_vision_model',
                hidden_size=width,
                intermediate_size=2 * width,
                num_hidden_layers=2,
                num_attention_heads=4,
                image_size=image_size,
                patch_size=16,
                vision_use_head=False,
            ),
            text_config=dict(
                model_type='gemma',
                hidden_size=width,
                intermediate_size=2 * width,
                num_hidden_layers=2,
                num_attention_heads=4,
                num_key_value_heads=1,
                head_dim=width // 4,
                **ids,
            ),
            image_token_index=tok.convert_tokens_to_ids('<image>'),
            vocab_size=len(tok),
            projection_dim=width,
            hidden_size=width,
            pad_token_id=tok.pad_token_id,
        )
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


def save_toy_vlm(
    family: str, out_dir: str, texts, image_size: int = 96, width: int = 64, seed: int = 0
) -> str:
    """Write a tiny random model folder of ``family`` to ``out_dir``.

    Args:
        family (str): ``'florence2'``, ``'paligemma'`` or ``'kosmos2'``.
        out_dir (str): the folder (tokenizer, model, preprocessor config).
        texts (Iterable[str]): texts the word-level vocabulary is learnt
            from (prompts and targets of the recipes that will use it).
        image_size (int): the processor's (square) input size.
        width (int): hidden size of the language model.
        seed (int): torch seed of the random weights.

    Returns:
        str: ``out_dir``.
    """
    import torch
    import transformers
    from transformers import CLIPImageProcessor, SiglipImageProcessor

    _check_family(family)
    os.makedirs(out_dir, exist_ok=True)
    tok = build_toy_tokenizer(family, texts, out_dir)
    cfg = toy_config(family, tok, image_size, width)
    names = dict(
        florence2=('Florence2Config', 'Florence2ForConditionalGeneration'),
        paligemma=('PaliGemmaConfig', 'PaliGemmaForConditionalGeneration'),
        kosmos2=('Kosmos2Config', 'Kosmos2ForConditionalGeneration'),
    )
    config_cls, model_cls = (getattr(transformers, n) for n in names[family])
    torch.manual_seed(seed)
    model = model_cls(config_cls(**cfg))
    model.save_pretrained(out_dir)
    mean, std = _STATS[family]
    size = dict(height=image_size, width=image_size)
    processor_cls = SiglipImageProcessor if family == 'paligemma' else CLIPImageProcessor
    kwargs = {} if family == 'paligemma' else dict(do_center_crop=False)
    processor_cls(size=size, image_mean=list(mean), image_std=list(std), **kwargs).save_pretrained(
        out_dir
    )
    return out_dir
