"""Every config under configs/ builds: model, data sets (with their
pipelines), metrics, hooks and optimizer wrapper.

Nothing is read from the repository's data/ or checkpoints/: the real
recipes read tiny stand-ins of their pretrained folders (saved here with
``save_pretrained`` / timm's ``save_for_hf``) through ``pretrained_root``,
the toy recipes a word-level tokenizer under ``data_root``, and data sets are
built with ``lazy_init=True`` (no annotation file is opened).
"""

from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from vltoolkit.utils.config_refs import resolve_config_refs

from .tiny_pretrained import save_tiny_pretrained, save_tiny_tokenizer, save_tiny_vlms

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = sorted(p for p in (ROOT / 'configs').glob('*/*.py') if p.parent.name != '_base_')


@pytest.fixture(scope='module')
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp('folders')
    save_tiny_pretrained(root / 'pretrained')
    save_tiny_tokenizer(root / 'data' / 'tokenizer')
    # the _toy twins of the pretrained-VLM recipes read ${data_root}/<family>
    from vltoolkit.models.pretrained_vlms import FAMILIES

    save_tiny_vlms(root / 'data', {f: f for f in FAMILIES})
    torch.set_num_threads(1)
    return root


def _lazy(node):
    """``lazy_init=True`` on every data set config (leaves and wrappers)."""
    if isinstance(node, dict):
        node = {k: _lazy(v) for k, v in node.items()}
        if 'pipeline' in node or 'datasets' in node:
            node['lazy_init'] = True
        return node
    if isinstance(node, list):
        return [_lazy(v) for v in node]
    return node


def _as_list(cfg):
    return cfg if isinstance(cfg, list) else [cfg]


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: f'{p.parent.name}/{p.name}')
def test_config_builds(path, folders):
    from mmengine.optim import build_optim_wrapper

    from vltoolkit.registry import DATASETS, HOOKS, METRICS, MODELS

    cfg = Config.fromfile(str(path))
    cfg.merge_from_dict(
        {'data_root': str(folders / 'data'), 'pretrained_root': str(folders / 'pretrained')}
    )
    resolve_config_refs(cfg, skip=('load_from',))
    init_default_scope(cfg.default_scope)

    # the full-size MCN (~10^8 weights) is built without memory
    big = cfg.model.type == 'MCN' and cfg.model.embed_dim > 1024
    with torch.device('meta' if big else 'cpu'):
        model = MODELS.build(cfg.model)
    assert sum(p.numel() for p in model.parameters()) > 0
    wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    assert wrapper.optimizer.param_groups

    for split in ('train', 'val', 'test'):
        loader = cfg.get(f'{split}_dataloader')
        if loader is None:
            assert split != 'train'
            continue
        dataset = DATASETS.build(_lazy(loader.dataset.to_dict()))
        assert dataset is not None
    for split in ('val', 'test'):
        for metric in _as_list(cfg.get(f'{split}_evaluator') or []):
            assert METRICS.build(metric) is not None
    for hook in cfg.get('custom_hooks') or []:
        assert HOOKS.build(hook) is not None
