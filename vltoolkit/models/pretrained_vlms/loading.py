"""Load a pretrained VLM from a hub name or a local folder, with one clear
error for each way it can fail (missing folder, offline without cache,
wrong model family)."""

import json
import os
import os.path as osp

FETCH_HINT = (
    'Fetch the weights once, on a machine with network access, into a folder '
    'and point `pretrained=` at it:\n'
    '    huggingface-cli download {name} --local-dir {folder}\n'
    'or in Python: huggingface_hub.snapshot_download("{name}", '
    'local_dir="{folder}") (docs/pretrained_vlms.md).'
)


class PretrainedVLMError(OSError):
    """A ``pretrained=`` that does not give the expected model."""


def _hint(name: str, example: str) -> str:
    """How to fetch ``name`` (a hub name) or, for a local folder, the
    family's example checkpoint into that folder."""
    if _looks_like_hub_name(name) and not osp.isdir(name):
        hub, folder = name, 'checkpoints/' + name.rsplit('/', 1)[-1]
    else:
        hub, folder = example, name
    return FETCH_HINT.format(name=hub, folder=folder)


def _looks_like_hub_name(name: str) -> bool:
    """``org/name`` (one slash, no leading ``.`` or ``/``, no ``~``)."""
    return (
        name.count('/') == 1
        and not name.startswith(('.', '/', '~'))
        and all(part for part in name.split('/'))
    )


def read_model_type(pretrained: str, example: str) -> str:
    """The ``model_type`` of the checkpoint ``pretrained`` names (a local
    folder, or a hub name resolved through the local cache; with
    ``HF_HUB_OFFLINE=1`` a missing cache fails at once).

    Raises:
        PretrainedVLMError: no such folder, a folder without
            ``config.json``, or a hub name that cannot be resolved.
    """
    if osp.isdir(pretrained):
        path = osp.join(pretrained, 'config.json')
        if not osp.isfile(path):
            raise PretrainedVLMError(
                f'pretrained={pretrained!r} is a folder without config.json '
                '(not a save_pretrained folder). ' + _hint(pretrained, example)
            )
        with open(path, encoding='utf-8') as f:
            return json.load(f).get('model_type')
    if not _looks_like_hub_name(pretrained):
        raise PretrainedVLMError(
            f'pretrained={pretrained!r}: no such folder (resolved: '
            f'{osp.abspath(pretrained)!r}) and not a hub name (org/name). '
            + _hint(pretrained, example)
        )
    from transformers import AutoConfig

    offline = os.environ.get('HF_HUB_OFFLINE', '0') not in ('', '0', 'false')
    try:
        config = AutoConfig.from_pretrained(pretrained, trust_remote_code=False)
    except (OSError, ValueError) as err:
        where = (
            'HF_HUB_OFFLINE=1 and it is not in the local hub cache'
            if offline
            else 'it is neither a local folder nor reachable on the hub (or in the local cache)'
        )
        raise PretrainedVLMError(
            f'pretrained={pretrained!r} cannot be loaded: {where} '
            f'({type(err).__name__}: {str(err).splitlines()[0]}). ' + _hint(pretrained, example)
        ) from None
    return config.model_type


def load_pretrained(hf_class, pretrained: str, model_type: str, example: str, **kwargs):
    """``hf_class.from_pretrained(pretrained)`` after checking that the
    checkpoint is a ``model_type`` model (never ``trust_remote_code``).

    Args:
        hf_class: the family's transformers class.
        pretrained (str): hub name or local folder.
        model_type (str): the ``model_type`` the wrapper expects.
        example (str): a hub name of this family, for the error message.
        **kwargs: more ``from_pretrained`` arguments (``dtype``, ...).

    Raises:
        PretrainedVLMError: see :func:`read_model_type`, or a checkpoint of
            another model family.
    """
    if not isinstance(pretrained, str) or not pretrained:
        raise PretrainedVLMError(f'pretrained must be a hub name or a folder, got {pretrained!r}')
    found = read_model_type(pretrained, example)
    if found != model_type:
        raise PretrainedVLMError(
            f'pretrained={pretrained!r} holds a {found!r} model, but this '
            f'recipe wraps {hf_class.__name__} (model_type {model_type!r}); '
            f'use a {model_type} checkpoint such as {example!r}. ' + _hint(example, example)
        )
    return hf_class.from_pretrained(pretrained, trust_remote_code=False, **kwargs)


def read_image_settings(pretrained: str):
    """``dict(size=(h, w), mean, std)`` (mean / std in 0-255 pixel units)
    from the ``preprocessor_config.json`` of a local folder, or None when
    there is none (a hub name is resolved through the cache)."""
    path = None
    if pretrained and osp.isdir(pretrained):
        path = osp.join(pretrained, 'preprocessor_config.json')
        if not osp.isfile(path):
            return None
    elif pretrained and _looks_like_hub_name(pretrained):
        try:
            from huggingface_hub import hf_hub_download

            path = hf_hub_download(pretrained, 'preprocessor_config.json')
        except Exception:  # noqa: BLE001 - optional information
            return None
    if path is None:
        return None
    with open(path, encoding='utf-8') as f:
        cfg = json.load(f)
    size = cfg.get('crop_size') if cfg.get('do_center_crop') else cfg.get('size')
    if isinstance(size, dict):
        if 'height' in size:
            size = (size['height'], size['width'])
        else:
            edge = size.get('shortest_edge')
            size = (edge, edge)
    elif isinstance(size, int):
        size = (size, size)
    scale = (
        255.0 * float(cfg.get('rescale_factor', 1 / 255)) if cfg.get('do_rescale', True) else 1.0
    )
    mean = [255.0 * m / scale for m in cfg.get('image_mean', (0.5, 0.5, 0.5))]
    std = [255.0 * s / scale for s in cfg.get('image_std', (0.5, 0.5, 0.5))]
    return dict(size=tuple(size) if size else None, mean=mean, std=std)
