"""Late-bound references in configs: ``${key}`` filled after ``--cfg-options``.

mmengine resolves ``{{_base_.x}}`` and ``_base_.x`` while it parses a config,
so a value copied that way into a pipeline or a model part no longer follows
the key it came from: ``--cfg-options data_root=X`` changes the top-level key
and nothing else. vltoolkit's configs therefore name the keys they read:

* ``'${data_root}/annotations'``: a string that embeds a reference becomes a
  string (the value of the top-level key ``data_root``, formatted with
  ``str``);
* ``'${tokenizer}'``: a string that is exactly one reference becomes the
  value itself (a dict, a list, a number, ...), copied;
* ``'${train_cfg.val_interval}'``: dotted names reach into a key;
* ``'${last_checkpoint:work_dirs/multitask/pretrain_span}'``: the checkpoint
  named by that work dir's ``last_checkpoint`` file (written by mmengine's
  ``CheckpointHook``); used by chained recipes for ``load_from``.

:func:`resolve_config_refs` fills them in place, once every override has
been merged; :func:`vltoolkit.engine.runner.prepare_config` (which every
tool, the inferencer and ``build_runner`` call) does it after the command
line is folded in.
References may point at keys that hold references themselves; a cycle or a
key that does not exist raises :class:`ConfigRefError` naming the config
key that holds the reference.

:func:`merge_overrides` merges ``--cfg-options``: it refuses a key that the
config does not have when a key of the same level is close to it
(``data_rot`` -> ``data_root``, ``train_cfg.max_epoch`` -> ``max_epochs``),
since mmengine would add the typo as a new key and train on the default.
A key that resembles none is added as mmengine adds it; ``+key=VALUE``
adds a key even when it resembles one (hydra's spelling).
"""

import copy
import difflib
import os.path as osp
import re
from collections.abc import Mapping
from typing import Optional

from mmengine.config import Config

REF = re.compile(r'\$\{([^${}]+)\}')
LAST_CHECKPOINT = 'last_checkpoint:'


class ConfigRefError(ValueError):
    """A ``${...}`` reference in a config that cannot be filled."""


class UnknownOverrideError(ValueError):
    """A ``--cfg-options`` key the config does not have, close to one it has."""


#: ``--cfg-options +key=VALUE`` adds ``key`` even when it resembles an existing key
ADD_PREFIX = '+'
#: how close (difflib ratio) a missing key must be to an existing one to be refused
TYPO_CUTOFF = 0.85


def last_checkpoint(work_dir: str, wanted_by: str = 'load_from') -> str:
    """The checkpoint that ``work_dir/last_checkpoint`` names.

    Raises :class:`ConfigRefError` naming the command that creates it when
    the stage has not been run (or its checkpoint was deleted).
    """
    marker = osp.join(work_dir, 'last_checkpoint')
    parts = osp.normpath(work_dir).split(osp.sep)
    command = (
        f'python tools/train.py configs/{parts[-2]}/{parts[-1]}.py'
        if len(parts) >= 2
        else f'the recipe whose work dir is {work_dir}'
    )
    if not osp.isfile(marker):
        raise ConfigRefError(
            f'{wanted_by}: the previous stage has not been run: no {marker}. '
            f'Run `{command}` first (its default work dir is {work_dir}), or '
            f'give the checkpoint yourself: --cfg-options {wanted_by}=PATH.pth'
        )
    with open(marker) as f:
        ckpt = f.read().strip()
    if not osp.isfile(ckpt):
        raise ConfigRefError(
            f'{wanted_by}: {marker} names {ckpt!r}, which does not exist; '
            f'run `{command}` again or pass --cfg-options {wanted_by}=PATH.pth'
        )
    return ckpt


class _Resolver:
    def __init__(self, top: Mapping):
        self.top = top
        self.cache = {}
        self.active = []

    def lookup(self, name: str, where: str):
        if name.startswith(LAST_CHECKPOINT):
            return last_checkpoint(name[len(LAST_CHECKPOINT) :].strip(), where)
        if name in self.cache:
            return copy.deepcopy(self.cache[name])
        if name in self.active:
            chain = ' -> '.join(self.active + [name])
            raise ConfigRefError(f'{where}: circular reference {chain}')
        node, path = self.top, []
        for part in name.split('.'):
            path.append(part)
            if not isinstance(node, Mapping) or part not in node:
                known = ', '.join(sorted(k for k in self.top if not k.startswith('_')))
                raise ConfigRefError(
                    f'{where}: "${{{name}}}" names no config key '
                    f'{".".join(path)!r}. Define it in the config or with '
                    f'--cfg-options {name}=VALUE (top-level keys: {known})'
                )
            node = node[part]
        self.active.append(name)
        try:
            value = self.fill(node, name)
        finally:
            self.active.pop()
        self.cache[name] = value
        return copy.deepcopy(value)

    def fill(self, node, where: str):
        if isinstance(node, str):
            return self.fill_string(node, where)
        if isinstance(node, Mapping):
            return {k: self.fill(v, f'{where}.{k}') for k, v in node.items()}
        if isinstance(node, (list, tuple)):
            return type(node)(self.fill(v, f'{where}[{i}]') for i, v in enumerate(node))
        return node

    def fill_string(self, text: str, where: str):
        whole = REF.fullmatch(text)
        if whole:
            return self.lookup(whole.group(1).strip(), where)
        return REF.sub(lambda m: str(self.lookup(m.group(1).strip(), where)), text)


def resolve_config_refs(cfg: Config, skip=()) -> Config:
    """Fill every ``${...}`` reference of ``cfg`` in place (see the module
    docstring), except in the top-level keys ``skip``; returns ``cfg``.
    Idempotent: a filled config has none left."""
    resolver = _Resolver(cfg._cfg_dict)
    filled = {
        key: resolver.fill(value, key) for key, value in cfg._cfg_dict.items() if key not in skip
    }
    for key, value in filled.items():
        cfg[key] = value
    return cfg


def _redirect(cfg, key: str, depth: int = 0) -> str:
    parts = key.split('.')
    node = cfg
    for i, part in enumerate(parts[:-1]):
        if not isinstance(node, (Mapping, Config)) or part not in node:
            return key
        node = node[part]
        if isinstance(node, str):
            whole = REF.fullmatch(node)
            name = whole.group(1).strip() if whole else ''
            if not whole or name.startswith(LAST_CHECKPOINT) or depth > 16:
                return key
            return _redirect(cfg, '.'.join([name] + parts[i + 1 :]), depth + 1)
    return key


def _typo_of(cfg, key: str) -> tuple:
    """``(path to the missing part, close existing keys)`` when a part of
    ``key`` is missing from ``cfg`` and resembles keys of its level, else
    ``(None, [])``. List indices and values that are not dicts end the walk
    (mmengine checks those)."""
    node, path = cfg, []
    for part in key.split('.'):
        if isinstance(node, (list, tuple)):
            if not part.isdigit() or int(part) >= len(node):
                break
            node = node[int(part)]
        elif isinstance(node, (Mapping, Config)):
            if part not in node:
                known = [k for k in node.keys() if isinstance(k, str) and not k.startswith('_')]
                close = difflib.get_close_matches(part, known, n=3, cutoff=TYPO_CUTOFF)
                return ('.'.join(path + [part]), ['.'.join(path + [c]) for c in close])
            node = node[part]
        else:
            break
        path.append(part)
    return None, []


def check_override_keys(cfg: Config, options: Mapping) -> None:
    """Raise :class:`UnknownOverrideError` for an override key (after
    following references, see :func:`merge_overrides`) that names a key
    the config does not have while keys of the same level are close to it;
    keys written ``+key`` are not checked."""
    for key in options or ():
        if key.startswith(ADD_PREFIX):
            continue
        missing, close = _typo_of(cfg, _redirect(cfg, key))
        if close:
            where = f' of {cfg.filename}' if getattr(cfg, 'filename', None) else ''
            raise UnknownOverrideError(
                f'--cfg-options {key}: the config{where} has no key {missing!r}; '
                f'did you mean {" or ".join(repr(c) for c in close)}? '
                f'(to add {missing!r} as a new key on purpose, write '
                f'{ADD_PREFIX}{key}=VALUE)'
            )


def merge_overrides(cfg: Config, options: Optional[dict]) -> Config:
    """``cfg.merge_from_dict(options)``, where

    - an override reaching *through* a whole-string reference edits the key
      the reference names: with ``model.loss = '${loss}'``,
      ``model.loss.beta=0.5`` sets ``loss.beta`` (mmengine alone would fail
      merging a dict key into the string);
    - a key missing from the config but close to one of its level is refused
      (:func:`check_override_keys`); ``+key`` adds a key without that check.
    """
    if options:
        check_override_keys(cfg, options)
        merged = {}
        for key, value in options.items():
            key = key[len(ADD_PREFIX) :] if key.startswith(ADD_PREFIX) else key
            merged[_redirect(cfg, key)] = value
        cfg.merge_from_dict(merged)
    return cfg
