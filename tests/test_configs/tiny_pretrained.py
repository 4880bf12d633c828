"""Tiny stand-ins for the pretrained folders the real recipes read.

``save_tiny_pretrained(root)`` fills ``root`` with the folder names the model
fragments expect under ``pretrained_root``, each saved the way a user saves
the real one (``save_pretrained`` / timm's ``save_for_hf``), at toy width:

* ``bart-base/``, ``bart-large/``: ``BartForConditionalGeneration`` + tokenizer
  (1024 positions, as BART: the encoder reads 576 image tokens + the prompt);
* ``vit_base_patch16_384/``, ``vit_large_patch16_384/``: timm ViT (1 block);
* ``vilt-b32-mlm/``: ``ViltForQuestionAnswering``;
* ``clip-vit-base-patch32/``: ``CLIPModel`` + tokenizer;
* ``bert-base-uncased/``: a tokenizer;
* ``Florence-2-base/``, ``paligemma-3b-pt-224/``, ``kosmos-2-patch14-224/``:
  tiny random pretrained VLMs with their tokenizers (:func:`save_tiny_vlms`,
  also under ``data_root`` for the ``_toy`` twins).

The tokenizer is a word-level one trained on ``WORDS`` (nothing downloaded).
"""

from pathlib import Path

WORDS = (
    'a person holds a cup . what colour is the cube ? is there a red ball '
    'where is the dog on the left of the table , which region does the text '
    'describe ? ride hold eat look sit the man and his donut'
).split()


def save_tiny_tokenizer(out_dir):
    from vltoolkit.tokenization import train_word_level_tokenizer

    return train_word_level_tokenizer(
        [' '.join(WORDS)], str(out_dir), special_tokens=[f'<mask_{i}>' for i in range(16)]
    )


def vlm_folders() -> dict:
    """family -> the folder name its recipes read (its hub example's)."""
    from vltoolkit.models.pretrained_vlms import FAMILIES

    return {n: f.wrapper.hub_example.rsplit('/', 1)[-1] for n, f in FAMILIES.items()}


def save_tiny_vlms(root, names=None) -> Path:
    """A tiny random model of every registered VLM family under ``root``, in
    folders named ``names[family]`` (default: :func:`vlm_folders`)."""
    from vltoolkit.models.pretrained_vlms.toy import save_toy_vlm

    for family, name in (names or vlm_folders()).items():
        save_toy_vlm(family, str(Path(root) / name), [' '.join(WORDS)], image_size=32, width=32)
    return Path(root)


def save_tiny_pretrained(root) -> Path:
    import timm
    from timm.models import save_for_hf
    from transformers import (
        BartConfig,
        BartForConditionalGeneration,
        CLIPConfig,
        CLIPModel,
        ViltConfig,
        ViltForQuestionAnswering,
    )

    root = Path(root)
    tok = save_tiny_tokenizer(root / 'bert-base-uncased')
    ids = dict(
        pad_token_id=tok.pad_token_id,
        bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id,
        decoder_start_token_id=tok.eos_token_id,
    )
    for name in ('bart-base', 'bart-large'):
        BartForConditionalGeneration(
            BartConfig(
                vocab_size=len(tok),
                d_model=32,
                encoder_layers=1,
                decoder_layers=1,
                encoder_attention_heads=2,
                decoder_attention_heads=2,
                encoder_ffn_dim=64,
                decoder_ffn_dim=64,
                max_position_embeddings=1024,
                **ids,
            )
        ).save_pretrained(root / name)
        tok.save_pretrained(root / name)
    for arch in ('vit_base_patch16_384', 'vit_large_patch16_384'):
        save_for_hf(
            timm.create_model(arch, depth=1, embed_dim=32, num_heads=2, num_classes=0), root / arch
        )
    ViltForQuestionAnswering(
        ViltConfig(
            vocab_size=len(tok),
            hidden_size=32,
            num_hidden_layers=1,
            num_attention_heads=2,
            intermediate_size=64,
            image_size=384,
            patch_size=32,
            max_position_embeddings=40,
            num_labels=2,
        )
    ).save_pretrained(root / 'vilt-b32-mlm')
    CLIPModel(
        CLIPConfig(
            projection_dim=24,
            vision_config=dict(
                hidden_size=32,
                num_hidden_layers=1,
                num_attention_heads=2,
                intermediate_size=64,
                image_size=224,
                patch_size=32,
            ),
            text_config=dict(
                vocab_size=len(tok),
                hidden_size=32,
                num_hidden_layers=1,
                num_attention_heads=2,
                intermediate_size=64,
                max_position_embeddings=77,
            ),
        )
    ).save_pretrained(root / 'clip-vit-base-patch32')
    tok.save_pretrained(root / 'clip-vit-base-patch32')
    save_tiny_vlms(root)
    return root
