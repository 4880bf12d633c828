"""Every recipe parses, names registered types only, and has a toy twin."""

from pathlib import Path

import pytest
from mmengine.config import Config

import vltoolkit.datasets  # noqa: F401  (register everything)
import vltoolkit.engine  # noqa: F401
import vltoolkit.evaluation  # noqa: F401
import vltoolkit.label_encoders  # noqa: F401
import vltoolkit.losses  # noqa: F401
import vltoolkit.models  # noqa: F401
import vltoolkit.tokenization  # noqa: F401
import vltoolkit.visualization  # noqa: F401
from vltoolkit import registry

ROOT = Path(__file__).resolve().parents[2]
RECIPES = sorted(p for p in (ROOT / 'configs').glob('*/*.py') if p.parent.name != '_base_')
# mmengine's own roots (schedulers, optimizers, hooks, ...) plus ours
from mmengine import registry as mm  # noqa: E402

ALL = [getattr(registry, n) for n in registry.__all__ if n.isupper()] + [
    getattr(mm, n) for n in dir(mm) if n.isupper() and hasattr(getattr(mm, n), 'get')
]


def _types(node):
    if isinstance(node, dict):
        if isinstance(node.get('type'), str):
            yield node['type']
        for value in node.values():
            yield from _types(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _types(value)


def _registered(name):
    import torch.optim  # noqa: F401

    return any(r.get(name) is not None for r in ALL)


@pytest.mark.parametrize('path', RECIPES, ids=lambda p: f'{p.parent.name}/{p.name}')
def test_recipe_parses_and_names_registered_types(path):
    cfg = Config.fromfile(str(path))
    missing = sorted({t for t in _types(cfg.to_dict()) if not _registered(t)})
    assert not missing, f'{path.name}: unregistered types {missing}'
    assert cfg.default_scope == 'vltoolkit'


@pytest.mark.parametrize(
    'path',
    [p for p in RECIPES if not p.stem.endswith('_toy')],
    ids=lambda p: f'{p.parent.name}/{p.name}',
)
def test_every_recipe_has_a_toy_twin(path):
    assert path.with_name(path.stem + '_toy.py').is_file()
