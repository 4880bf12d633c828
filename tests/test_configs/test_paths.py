"""One key per path: `data_root` and `pretrained_root` move every path of
every recipe; default work dirs are unique; chained recipes name the stage
they need."""

import re
from pathlib import Path

import pytest
from mmengine.config import Config

from vltoolkit.utils.cli import default_work_dir
from vltoolkit.utils.config_refs import ConfigRefError, resolve_config_refs

ROOT = Path(__file__).resolve().parents[2]
RECIPES = sorted(p for p in (ROOT / 'configs').glob('*/*.py') if p.parent.name != '_base_')
IDS = [f'{p.parent.name}/{p.name}' for p in RECIPES]
# keys whose string values are files or folders
PATH_KEYS = ('data_root', 'path', 'pretrained_path', 'word_vectors')


def _paths(node, where=''):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in PATH_KEYS and isinstance(value, str):
                yield f'{where}.{key}', value
            yield from _paths(value, f'{where}.{key}')
    elif isinstance(node, (list, tuple)):
        for i, value in enumerate(node):
            yield from _paths(value, f'{where}[{i}]')


def _strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _strings(value)


@pytest.mark.parametrize('path', RECIPES, ids=IDS)
def test_data_root_and_pretrained_root_move_every_path(path):
    defaults = Config.fromfile(str(path))
    cfg = Config.fromfile(str(path))
    cfg.merge_from_dict({'data_root': '/mine/data', 'pretrained_root': '/mine/pretrained'})
    resolve_config_refs(cfg, skip=('load_from',))
    found = dict(_paths(cfg.to_dict()))
    datasets = [k for k in found if k.endswith('.data_root')]
    assert datasets, f'{path.name}: no data set reads a data_root'
    stuck = {k: v for k, v in found.items() if not v.startswith(('/mine/data', '/mine/pretrained'))}
    assert not stuck, f'{path.name}: paths that ignore data_root / pretrained_root: {stuck}'
    # and the default folders are gone from every string of the config
    old_root = defaults.data_root.rstrip('/') + '/'
    left = [
        s for s in _strings(cfg.to_dict()) if s.startswith(old_root) or s.startswith('checkpoints/')
    ]
    assert not left, f'{path.name}: default paths left after the override: {left}'
    # the tokenizer every pipeline step and the model read is one folder
    tokenizers = {
        re.sub(r'\s', '', str(v)) for k, v in found.items() if k.endswith('tokenizer.path')
    }
    assert len(tokenizers) <= 1 or path.parent.name == 'vqa', tokenizers


def test_default_work_dirs_are_unique_per_recipe():
    dirs = [default_work_dir(str(p)) for p in RECIPES]
    assert len(set(dirs)) == len(dirs)
    assert default_work_dir(str(ROOT / 'configs/hoi/ce_onehot_toy.py')) != default_work_dir(
        str(ROOT / 'configs/grounding/ce_onehot_toy.py')
    )


CHAINED = [p for p in RECIPES if '${last_checkpoint:' in p.read_text()]


def test_chained_recipes_exist():
    names = {f'{p.parent.name}/{p.stem}' for p in CHAINED}
    assert {
        'multitask/multitask',
        'multitask/multitask_toy',
        'multitask/hoi_finetune',
        'multitask/hoi_finetune_toy',
        'retrieval/mcn_lora_pairs',
        'retrieval/mcn_lora_pairs_toy',
    } <= names
    assert not any('epoch_' in Config.fromfile(str(p)).load_from for p in CHAINED)


@pytest.mark.parametrize('path', CHAINED, ids=[f'{p.parent.name}/{p.name}' for p in CHAINED])
def test_chained_recipe_names_the_stage_to_run_first(path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no work_dirs here
    cfg = Config.fromfile(str(path))
    with pytest.raises(ConfigRefError, match='previous stage has not been run') as err:
        resolve_config_refs(cfg)
    command = re.search(r'`python tools/train.py (configs/\S+\.py)`', str(err.value))
    assert command, str(err.value)
    assert (ROOT / command.group(1)).is_file(), command.group(1)
    assert command.group(1) != f'configs/{path.parent.name}/{path.name}'
