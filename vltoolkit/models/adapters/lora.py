r"""LoRA adapters (Hu et al., ICLR 2022) on any module, through peft.

A model config key ``lora=dict(r=8, alpha=16, dropout=0.0,
target_modules=[...])`` makes the model call :func:`apply_lora` on itself:
every matched ``nn.Linear`` (or ``Conv``/``Embedding``) :math:`W` becomes

.. math::
    h = W x + \frac{\alpha}{r} B A x, \qquad A \in \mathbb{R}^{r \times d_{in}},
    \; B \in \mathbb{R}^{d_{out} \times r}, \; B_0 = 0

(peft's ``LoraLayer``, injected in place with
``peft.inject_adapter_in_model``), and only the adapter matrices stay
trainable. The module tree keeps its names (``layer.base_layer.weight`` holds
the frozen :math:`W`, ``layer.lora_A.<adapter>.weight`` the adapter), so the
model's ``state_dict`` (and an mmengine checkpoint) holds the base and the
adapters: everything needed to resume (and a checkpoint of the model
*without* LoRA still loads into it, as the frozen base). :func:`merge_lora` folds the adapters
into :math:`W` (:math:`W \leftarrow W + \frac{\alpha}{r} BA`) and restores
the plain modules, so the merged weights load into the model built without
``lora`` (``tools/model_converters/merge_lora.py``).

``target_modules`` are ``fnmatch`` globs over dotted module names
(``'language_model.model.encoder.layers.*.self_attn.q_proj'``), or bare
names matching the last components (``'q_proj'``, peft's convention). A
pattern that matches no adaptable module raises ``ValueError`` listing the
candidates.
"""

import difflib
import fnmatch
import warnings
from typing import Dict, Iterable, List, Optional, Sequence, Union

import torch.nn as nn

__all__ = [
    'apply_lora',
    'resolve_lora_targets',
    'set_active_adapters',
    'lora_adapter_names',
    'merge_lora',
    'lora_parameters',
]

_ADAPTABLE = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.Embedding)


def _matches(name: str, pattern: str) -> bool:
    return fnmatch.fnmatchcase(name, pattern) or name == pattern or name.endswith('.' + pattern)


def resolve_lora_targets(model: nn.Module, patterns: Union[str, Sequence[str]]) -> List[str]:
    """Full names of the adaptable modules matched by ``patterns``.

    Raises:
        ValueError: a pattern matches no adaptable module; the message lists
            the closest candidate names and how many there are.
    """
    if isinstance(patterns, str):
        patterns = [patterns]
    if not patterns:
        raise ValueError(
            'lora.target_modules is empty: name the modules to adapt, e.g. ["q_proj", "v_proj"]'
        )
    candidates = [
        n for n, m in model.named_modules() if n and isinstance(m, _ADAPTABLE) and 'lora_' not in n
    ]
    targets = []
    for pattern in patterns:
        hits = [n for n in candidates if _matches(n, pattern)]
        if not hits:
            short = sorted({n.rsplit('.', 1)[-1] for n in candidates})
            close = difflib.get_close_matches(pattern, short + candidates, n=6, cutoff=0.5)
            raise ValueError(
                f'lora target pattern {pattern!r} matches no adaptable module '
                f'(nn.Linear / Conv / Embedding) among {len(candidates)}. '
                + (f'Closest names: {close}. ' if close else '')
                + f'Their last names: {short[:40]}; full names, e.g. '
                f'{candidates[:12]}. Patterns are fnmatch globs over dotted '
                "names (e.g. 'encoder.*.q_proj') or bare last names ('q_proj')."
            )
        targets += [n for n in hits if n not in targets]
    return targets


def lora_adapter_names(model: nn.Module) -> List[str]:
    """The adapters injected in ``model`` (in injection order)."""
    from peft.tuners.lora import LoraLayer

    names = []
    for module in model.modules():
        if isinstance(module, LoraLayer):
            names += [n for n in module.lora_A if n not in names]
    return names


def set_active_adapters(
    model: nn.Module, adapter_names: Iterable[str], trainable: bool = True
) -> None:
    """Activate ``adapter_names`` in every LoRA layer (their deltas add up);
    they become trainable (``trainable=True``), every other adapter frozen.
    An empty list disables all adapters (the base model)."""
    from peft.tuners.lora import LoraLayer

    names = list(adapter_names)
    known = lora_adapter_names(model)
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f'unknown LoRA adapters {unknown}; the model has {known}')
    for module in model.modules():
        if isinstance(module, LoraLayer):
            present = [n for n in names if n in module.lora_A]
            if present:
                module.enable_adapters(True)
                module.set_adapter(present, inference_mode=not trainable)
            else:
                module.set_adapter(list(module.lora_A), inference_mode=True)
                module.enable_adapters(False)


def lora_parameters(model: nn.Module, adapter_name: Optional[str] = None) -> dict:
    """``{name: parameter}`` of the LoRA matrices (of one adapter)."""
    out = {}
    for name, param in model.named_parameters():
        if 'lora_' in name and (adapter_name is None or f'.{adapter_name}.' in name + '.'):
            out[name] = param
    return out


def apply_lora(
    model: nn.Module,
    lora_cfg: Optional[dict],
    adapter_names: Sequence[str] = ('default',),
    adapter_scopes: Optional[Dict[str, Sequence[str]]] = None,
) -> List[str]:
    """Inject LoRA adapters into ``model`` in place; returns the adapted
    module names (``[]`` when ``lora_cfg`` is None).

    ``lora_cfg`` keys: ``r`` (rank, default 8), ``alpha`` (default ``2 r``),
    ``dropout`` (default 0), ``target_modules`` (patterns, required),
    ``trainable`` (module globs kept trainable besides the adapters, e.g. a
    new head; default none), ``freeze_norm_stats`` (default True: the
    running statistics of frozen BatchNorm layers stop updating, so the
    whole base, buffers included, stays as loaded); other keys go to
    ``peft.LoraConfig`` (e.g. ``use_rslora``). One adapter set per name of ``adapter_names``; the
    first one is active (see :func:`set_active_adapters`). Every other
    parameter of ``model`` is frozen. ``adapter_scopes`` (name -> module
    name prefixes) restricts an adapter to the targets under its prefixes
    (MCN: the adapter of a modality pair lives in those two encoders).
    """
    if not lora_cfg:
        return []
    from peft import LoraConfig, inject_adapter_in_model

    cfg = dict(lora_cfg)
    cfg.pop('adapters', None)  # the model's choice of adapter names
    r = int(cfg.pop('r', 8))
    alpha = cfg.pop('alpha', 2 * r)
    dropout = cfg.pop('dropout', 0.0)
    trainable = cfg.pop('trainable', ())
    freeze_norm_stats = cfg.pop('freeze_norm_stats', True)
    if 'target_modules' not in cfg:
        raise ValueError('lora needs target_modules (module name patterns)')
    targets = resolve_lora_targets(model, cfg.pop('target_modules'))
    for name in adapter_names:
        scoped = targets
        if adapter_scopes is not None and name in adapter_scopes:
            prefixes = [p.rstrip('.') for p in adapter_scopes[name]]
            scoped = [t for t in targets if any(t == p or t.startswith(p + '.') for p in prefixes)]
            if not scoped:
                raise ValueError(
                    f'LoRA adapter {name!r}: no target module lies '
                    f'under {prefixes}; targets: {targets}'
                )
        peft_cfg = LoraConfig(
            r=r, lora_alpha=alpha, lora_dropout=dropout, target_modules=scoped, bias='none', **cfg
        )
        with warnings.catch_warnings():
            # peft warns that a second adapter set is added: that is the point
            warnings.filterwarnings('ignore', message='Already found a `peft_config`')
            inject_adapter_in_model(peft_cfg, model, adapter_name=name)
    for param in model.parameters():
        param.requires_grad_(False)
    set_active_adapters(model, list(adapter_names)[:1])
    model._register_load_state_dict_pre_hook(_BaseKeysToLoRA(targets))
    if freeze_norm_stats:
        for module in model.modules():
            if isinstance(module, nn.modules.batchnorm._BatchNorm) and not any(
                p.requires_grad for p in module.parameters(recurse=False)
            ):
                module.momentum = 0.0  # running statistics stay the base's
    names = [n for n, _ in model.named_modules() if n]
    for pattern in [trainable] if isinstance(trainable, str) else trainable:
        hits = [n for n in names if fnmatch.fnmatchcase(n, pattern)]
        if not hits:
            top = sorted({n.split('.')[0] for n in names})
            raise ValueError(
                f'lora.trainable pattern {pattern!r} matches no module; top-level modules: {top}'
            )
        for hit in hits:
            for param in model.get_submodule(hit).parameters():
                param.requires_grad_(True)
    return targets


class _BaseKeysToLoRA:
    """A load-state-dict pre-hook: a checkpoint of the model *without* LoRA
    (``fc.weight``) loads into the adapted model (``fc.base_layer.weight``),
    e.g. ``load_from`` a pretrained base before training adapters."""

    def __init__(self, targets):
        self.targets = list(targets)

    def __call__(self, state_dict, prefix, *args, **kwargs):
        for target in self.targets:
            for suffix in ('weight', 'bias'):
                plain = f'{prefix}{target}.{suffix}'
                wrapped = f'{prefix}{target}.base_layer.{suffix}'
                if plain in state_dict and wrapped not in state_dict:
                    state_dict[wrapped] = state_dict.pop(plain)


def merge_lora(model: nn.Module, adapter_names: Optional[Sequence[str]] = None) -> List[str]:
    """Fold adapters into the base weights and put the plain modules back,
    in place. ``adapter_names``: the adapters to merge (default: the active
    ones of each layer). Returns the names of the merged modules; the
    model's ``state_dict`` then has the keys of the model without LoRA."""
    from peft.tuners.lora import LoraLayer

    merged = []
    for name, module in list(model.named_modules()):
        if not isinstance(module, LoraLayer):
            continue
        if adapter_names is not None:
            names = [n for n in adapter_names if n in module.lora_A]
        elif module.disable_adapters:
            names = []
        else:
            names = [n for n in module.active_adapters if n in module.lora_A]
        if names:
            module.merge(adapter_names=names)
        parent_name, _, child = name.rpartition('.')
        parent = model.get_submodule(parent_name) if parent_name else model
        setattr(parent, child, module.get_base_layer())
        merged.append(name)
    return merged
