"""What a pretrained VLM family is, in one descriptor, and the registry of them.

A family module (``<family>.py`` next to this file) defines its wrapper
class and registers one :class:`VLMFamily`; everything that loops over the
families (the toy-folder maker, the random-weight builder, ``count_params.py``,
``benchmark_train.py``, the tests) reads :data:`FAMILIES` and has no
per-family branch. ``docs/pretrained_vlms.md`` ("Add a family") lists the
files a new family needs.
"""

from dataclasses import dataclass, field
from typing import Callable, Dict, Optional, Sequence, Tuple

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)


@dataclass(frozen=True)
class VLMFamily:
    """One pretrained VLM family.

    Args:
        name (str): short name (the module's name): the toy folders, the tests.
        wrapper (type): the registered ``PretrainedVLM`` subclass.
        box_coder (dict): ``BOX_CODERS`` config of how the family writes a
            box (location tokens, or text numbers).
        toy_config (callable): ``(tokenizer, image_size, width) -> dict``,
            the config kwargs of a tiny model for a toy tokenizer.
        image_processor (str): the transformers image-processor class the
            toy folder saves (its ``preprocessor_config.json``).
        image_mean, image_std (tuple): the processor's statistics (0..1).
        image_processor_kwargs (callable, optional): ``image_size -> dict``,
            more arguments of the processor (default: a square ``size``).
        special_tokens (Sequence[str]): special tokens of the toy tokenizer
            besides the location tokens (the image placeholder, ...).
        tags (Sequence[str]): tokens added as ordinary (non-special) tokens,
            kept when decoding (grounding markup such as ``<phrase>``).
        toy_tokenizer (callable, optional): ``(texts, out_dir) -> tokenizer``
            replacing the default word-level toy tokenizer (families whose
            numbers must split into digits, or that need a chat template).
        parse_answer (callable, optional): the family's own answer parser
            (the result of its processor's post-processing), for checks
            against the reference; metrics read boxes with the box coder.
        vision_module (str): the vision tower's module name in the wrapper
            (what recipes freeze).
        language_module (str): the language model's module name (where
            LoRA goes).
        recipe_models (Sequence[str]): ``configs/_base_/models`` fragments
            of the family (the docs' table).
    """

    name: str
    wrapper: type
    box_coder: dict
    toy_config: Callable
    image_processor: str
    image_mean: Tuple[float, ...] = CLIP_MEAN
    image_std: Tuple[float, ...] = CLIP_STD
    image_processor_kwargs: Optional[Callable] = None
    special_tokens: Sequence[str] = ()
    tags: Sequence[str] = ()
    toy_tokenizer: Optional[Callable] = None
    parse_answer: Optional[Callable] = None
    vision_module: str = 'hf_model.model.vision_tower'
    language_module: str = 'hf_model.model.language_model'
    recipe_models: Sequence[str] = field(default_factory=tuple)


#: name -> :class:`VLMFamily`, in registration order
FAMILIES: Dict[str, VLMFamily] = {}


def register_family(family: VLMFamily) -> VLMFamily:
    """Add ``family`` to :data:`FAMILIES` (a name is registered once)."""
    if family.name in FAMILIES and FAMILIES[family.name] is not family:
        raise KeyError(f'VLM family {family.name!r} is registered already')
    FAMILIES[family.name] = family
    return family


def get_family(name_or_type: str) -> VLMFamily:
    """The family of a name, a wrapper type
    or a transformers ``model_type``."""
    for family in FAMILIES.values():
        if name_or_type in (family.name, family.wrapper.__name__, family.wrapper.model_type):
            return family
    raise KeyError(
        f'{name_or_type!r} is not a registered VLM family (known: {sorted(FAMILIES)}; '
        'vltoolkit/models/pretrained_vlms/family.py)'
    )


def family_names() -> list:
    return list(FAMILIES)


def special_token_ids(tok) -> dict:
    """The vocabulary size and pad / bos / eos ids of tokenizer ``tok``, as the
    transformers configs of the toy twins take them."""
    return dict(
        vocab_size=len(tok),
        pad_token_id=tok.pad_token_id,
        bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id,
    )
