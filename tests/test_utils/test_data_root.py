"""A missing data_root is reported as a missing data root (key, config, docs
page), before the tokenizer folder under it is looked for."""

import pytest
from mmengine.config import Config

from tests.conftest import ROOT, load_tool
from vltoolkit.utils.config_refs import resolve_config_refs
from vltoolkit.utils.data_root import DATA_PAGES, DataRootError, check_data_root, data_pages


def _cfg(name, **options):
    cfg = Config.fromfile(str(ROOT / 'configs' / name))
    cfg.merge_from_dict(options)
    return cfg


def test_train_names_the_key_and_the_page_not_the_tokenizer(tmp_path):
    missing = str(tmp_path / 'no_such_root')
    config = str(ROOT / 'configs' / 'hoi' / 'gem_distlabel_toy.py')
    args = ['--work-dir', str(tmp_path / 'w'), '--cfg-options', f'data_root={missing}']
    with pytest.raises(DataRootError) as err:
        load_tool('train.py').main([config] + args)  # checked before the runner is built
    with pytest.raises(DataRootError):
        load_tool('test.py').main([config, str(tmp_path / 'none.pth')] + args)
    msg = str(err.value)
    assert f"data_root='{missing}'" in msg and 'gem_distlabel_toy.py' in msg
    assert 'docs/datasets/hoi.md' in msg
    assert f'make_toy.py hoi --out {missing}' in msg  # a toy recipe: the command
    assert 'tokenizer folder' not in msg


@pytest.mark.parametrize(
    'name, page',
    [
        ('hoi/gem_distlabel.py', 'docs/datasets/hoi.md'),
        ('grounding/gem_distlabel.py', 'docs/datasets/refcoco.md'),
        ('vqa/vilt_baseline.py', 'docs/datasets/vqa.md'),
        ('retrieval/mcn_one_stage.py', 'docs/datasets/mcn.md'),
        ('multitask/multitask.py', 'docs/datasets/multitask.md'),
    ],
)
def test_every_real_recipe_names_its_layout_page(tmp_path, name, page):
    cfg = resolve_config_refs(_cfg(name, data_root=str(tmp_path / 'nope')), skip=('load_from',))
    with pytest.raises(DataRootError, match='data_root=') as err:
        check_data_root(cfg)
    assert page in str(err.value) and 'make_toy.py' not in str(err.value)
    assert (ROOT / page).is_file()


def test_an_existing_root_passes_and_pages_exist(tmp_path):
    cfg = resolve_config_refs(_cfg('hoi/gem_distlabel.py', data_root=str(tmp_path)))
    check_data_root(cfg)  # no error
    assert data_pages(cfg) == [('docs/datasets/hoi.md', 'hoi')]
    for page, _ in DATA_PAGES.values():
        assert (ROOT / page).is_file(), page
