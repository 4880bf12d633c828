"""vltoolkit.utils.paths: the checkout's configs/ and tools/, else the
packaged copy; recipe names resolve from any folder; the vlt command line."""

import sys

import pytest

from tests.conftest import ROOT
from vltoolkit import vlt
from vltoolkit.utils import paths


def test_checkout_first():
    assert paths.configs_root() == ROOT / 'configs'
    assert paths.tools_root() == ROOT / 'tools'


def test_packaged_copy_without_a_checkout(tmp_path, monkeypatch):
    # a site-packages folder: no pyproject.toml beside the package
    monkeypatch.setattr(paths, 'CHECKOUT_ROOT', tmp_path / 'site-packages')
    (tmp_path / 'site-packages' / 'configs').mkdir(parents=True)  # a stray folder is ignored
    monkeypatch.setattr(paths, 'PACKAGED_ROOT', tmp_path / '.mim')
    with pytest.raises(FileNotFoundError, match=r'pip install \.'):
        paths.configs_root()
    (tmp_path / '.mim' / 'configs' / 'hoi').mkdir(parents=True)
    (tmp_path / '.mim' / 'configs' / '_base_').mkdir()
    (tmp_path / '.mim' / 'configs' / 'hoi' / 'a.py').write_text('x = 1\n')
    (tmp_path / '.mim' / 'configs' / '_base_' / 'b.py').write_text('y = 1\n')
    assert paths.configs_root() == tmp_path / '.mim' / 'configs'
    assert paths.list_recipes() == ['hoi/a.py']


def test_resolve_config(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shipped = str(ROOT / 'configs' / 'hoi' / 'gem_distlabel_toy.py')
    assert paths.resolve_config('hoi/gem_distlabel_toy.py') == shipped
    assert paths.resolve_config('configs/hoi/gem_distlabel_toy.py') == shipped
    (tmp_path / 'mine.py').write_text('x = 1\n')
    assert paths.resolve_config('mine.py') == 'mine.py'  # a local file wins
    with pytest.raises(FileNotFoundError, match='vlt list-recipes'):
        paths.resolve_config('hoi/no_such_recipe.py')


def test_vlt_runs_the_tool_with_the_resolved_config(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    seen = {}
    monkeypatch.setattr(vlt, 'run_tool', lambda script, args: seen.update(script=script, args=args))
    assert vlt.main(['train', 'hoi/gem_distlabel_toy.py', '--amp']) == 0
    assert seen == dict(
        script='train.py', args=[str(ROOT / 'configs/hoi/gem_distlabel_toy.py'), '--amp']
    )
    assert vlt.main(['train', 'nope.py']) == 2
    assert vlt.main(['frobnicate']) == 2


def test_dist_command_matches_dist_train_sh(monkeypatch):
    monkeypatch.setenv('PORT', '29999')
    cmd = vlt.dist_command(
        'test.py', ['hoi/gem_distlabel_toy.py', 'ckpt.pth', '2', '--out', 'p.pkl'], 2
    )
    assert cmd[:3] == [sys.executable, '-m', 'torch.distributed.run']
    assert '--nproc_per_node=2' in cmd and '--master_port=29999' in cmd
    tail = cmd[cmd.index(str(ROOT / 'tools' / 'test.py')) + 1 :]
    config = str(ROOT / 'configs/hoi/gem_distlabel_toy.py')
    assert tail == [config, 'ckpt.pth', '--launcher', 'pytorch', '--out', 'p.pkl']
