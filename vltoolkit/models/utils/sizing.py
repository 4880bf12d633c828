"""Size a recipe's model with no file on disk: no weights, no tokenizer.

:func:`config_without_files` rewrites a model config so that it builds from
architecture descriptions alone, and :func:`build_on_meta` builds it on
PyTorch's ``meta`` device (shapes only: no memory, no initialisation time),
so ``tools/analysis/count_params.py`` can size a 700M-parameter recipe in
seconds before anything is downloaded. ``frozen_modules`` and ``lora`` are
applied by the model exactly as in training, so the trained count is
the real one.
"""

import contextlib
import copy
import os.path as osp
from typing import Dict, Optional

import torch.nn as nn

#: vocabulary sizes of the released tokenizers the recipes name (folder basename)
RELEASED_VOCAB_SIZES: Dict[str, int] = {
    'bart-base': 50265,
    'bart-large': 50265,  # GPT-2 BPE of facebook/bart-*
    'bert-base-uncased': 30522,  # ViLT's text side
    'clip-vit-base-patch32': 49408,  # openai/clip-vit-base-patch32
}

TOKENIZER_TYPES = ('VLTokenizer', 'HFTokenizer')


def _placeholder_tokenizer(cfg: dict, vocab_sizes: Dict[str, int]) -> dict:
    path = cfg['path']
    name = osp.basename(osp.normpath(path))
    if name not in vocab_sizes:
        raise ValueError(
            f'tokenizer folder {path!r} is not on disk and its vocabulary size is '
            f'unknown (known: {sorted(vocab_sizes)}); pass --vocab-size {name}=N'
        )
    return dict(
        type='SizedPlaceholderTokenizer',
        vocab_size=vocab_sizes[name],
        box_coder=cfg.get('box_coder'),
        extra_special_tokens=cfg.get('extra_special_tokens', ()),
        path=path,
    )


def config_without_files(
    model_cfg: dict,
    vocab_sizes: Optional[Dict[str, int]] = None,
    hf_config: Optional[dict] = None,
    image_size: int = 96,
) -> dict:
    """A copy of ``model_cfg`` that builds with no file on disk: the one way
    to build a recipe's model without its files (``count_params.py`` builds
    it on the meta device, ``benchmark_train.py --synthetic`` with random
    weights).

    * a pretrained VLM (a registered family's wrapper) whose ``pretrained``
      folder is missing builds from ``config=`` the released sizes
      (``hf_config``, the recipe fragment's) or, for a ``_toy`` recipe, the
      family's toy architecture at the vocabulary ``vocab_sizes[<folder
      name>]`` and ``image_size``
      (:func:`~vltoolkit.models.pretrained_vlms.random_weights.random_weights_config`);

    * a tokenizer (``VLTokenizer`` / ``HFTokenizer``) whose folder is missing
      becomes a :class:`~vltoolkit.tokenization.SizedPlaceholderTokenizer` of
      the released vocabulary size (:data:`RELEASED_VOCAB_SIZES`, or
      ``vocab_sizes``), location and extra tokens added as the real one does;
    * a missing ``pretrained_path`` is dropped where the same dict describes
      the architecture (``config=`` of a transformers model, ``model_name``
      of a timm one); one without a description is an error naming the key.
    """
    sizes = dict(RELEASED_VOCAB_SIZES, **(vocab_sizes or {}))
    pretrained = model_cfg.get('pretrained')
    if _is_pretrained_vlm(model_cfg) and isinstance(pretrained, str) and not osp.isdir(pretrained):
        from vltoolkit.models.pretrained_vlms.random_weights import random_weights_config

        if hasattr(hf_config, 'to_dict'):
            hf_config = hf_config.to_dict()
        return random_weights_config(
            copy.deepcopy(dict(model_cfg)),
            hf_config,
            toy_vocab_size=sizes.get(osp.basename(osp.normpath(pretrained))),
            image_size=image_size,
        )

    def walk(node, where):
        if isinstance(node, dict):
            node = {k: walk(v, f'{where}.{k}') for k, v in node.items()}
            if (
                node.get('type') in TOKENIZER_TYPES
                and isinstance(node.get('path'), str)
                and not osp.isdir(node['path'])
            ):
                return _placeholder_tokenizer(node, sizes)
            path = node.get('pretrained_path')
            if isinstance(path, str) and not osp.exists(path):
                if 'config' not in node and 'model_name' not in node:
                    raise ValueError(
                        f'{where}.pretrained_path {path!r} is not on disk and '
                        f'{where} does not describe its architecture: add '
                        f'{where}.config=dict(...) (the released config\'s sizes)'
                    )
                node.pop('pretrained_path')
            return node
        if isinstance(node, (list, tuple)):
            return type(node)(walk(v, where) for v in node)
        return node

    return walk(copy.deepcopy(dict(model_cfg)), 'model')


def _is_pretrained_vlm(model_cfg: dict) -> bool:
    from vltoolkit.registry import MODELS

    wrapper = MODELS.get(model_cfg.get('type')) if isinstance(model_cfg.get('type'), str) else None
    return bool(getattr(wrapper, 'hf_class_name', ''))


@contextlib.contextmanager
def parameters_on_meta():
    """Every ``nn.Parameter`` registered inside goes to the meta device as
    it is created (the ``init_empty_weights`` idea of accelerate), so their
    initialisation costs nothing; other tensors (index tables of label
    encoders, tokenizers) stay real."""
    register = nn.Module.register_parameter

    def register_on_meta(module, name, param):
        register(module, name, param)
        if param is not None and param.device.type != 'meta':
            kwargs = dict(param.__dict__)
            module._parameters[name] = (
                type(param)(param.to('meta'), requires_grad=param.requires_grad, **kwargs)
                if kwargs
                else nn.Parameter(param.to('meta'), requires_grad=param.requires_grad)
            )

    nn.Module.register_parameter = register_on_meta
    try:
        yield
    finally:
        nn.Module.register_parameter = register


def build_on_meta(model_cfg: dict):
    """``MODELS.build(model_cfg)`` with every parameter on the meta device."""
    from vltoolkit.registry import MODELS

    with parameters_on_meta():
        return MODELS.build(model_cfg)
