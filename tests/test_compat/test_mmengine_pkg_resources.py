"""mmengine's package helpers without ``pkg_resources`` (setuptools >= 82)."""

import json
import os
import os.path as osp
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from vltoolkit.compat import mmengine_pkg_resources as compat

ROOT = Path(__file__).resolve().parents[2]


def _run(code, tmp_path, extra_path=()):
    """Run ``code`` in a fresh interpreter where pkg_resources is missing
    even if setuptools still ships it; it prints one JSON line."""
    script = tmp_path / 'probe.py'
    script.write_text("import sys\nsys.modules['pkg_resources'] = None\n" + textwrap.dedent(code))
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        [str(ROOT), *map(str, extra_path), env.get('PYTHONPATH', '')]
    ).rstrip(os.pathsep)
    proc = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        env=env,
        cwd=str(tmp_path),
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_patch_fixes_is_installed_and_get_installed_path(tmp_path):
    out = _run(
        """
        import json, os.path as osp
        import mmengine, mmcv
        import mmengine.utils as mu

        def attempt(func, *args):
            try:
                return ['ok', func(*args)]
            except Exception as exc:
                return ['error', type(exc).__name__]

        before = dict(
            is_installed=attempt(mu.is_installed, 'mmengine'),
            get_installed_path=attempt(mu.get_installed_path, 'mmengine'))

        from vltoolkit.compat import patch_mmengine_pkg_resources
        first = patch_mmengine_pkg_resources()
        funcs = (mu.is_installed, mu.get_installed_path)
        second = patch_mmengine_pkg_resources()

        import mmengine.config.config as cc
        import mmengine.utils.package_utils as pu
        import mmengine.hub.hub as hub  # imported after the patch
        print(json.dumps(dict(
            before=before, first=first, second=second,
            same_after_second=(mu.is_installed, mu.get_installed_path) == funcs,
            installed=mu.is_installed('mmengine'),
            installed_dist_name=mu.is_installed('mmcv-lite'),
            missing=mu.is_installed('surely_not_a_package_xyz'),
            missing_dotted=mu.is_installed('surely_not_xyz.sub'),
            path=mu.get_installed_path('mmengine'),
            expected=osp.dirname(mmengine.__file__),
            dist_path=mu.get_installed_path('mmcv-lite'),
            mmcv_dir=osp.dirname(mmcv.__file__),
            module=pu.package2module('mmcv-lite'),
            config_patched=cc.get_installed_path is mu.get_installed_path
            and cc.is_installed is mu.is_installed,
            pu_patched=pu.is_installed is mu.is_installed,
            hub_patched=hub.get_installed_path is mu.get_installed_path,
        )))
        """,
        tmp_path,
    )
    # unpatched mmengine 0.10.7 needs pkg_resources
    assert out['before']['is_installed'] == ['error', 'ModuleNotFoundError']
    assert out['before']['get_installed_path'] == ['error', 'ModuleNotFoundError']
    assert out['first'] is True and out['second'] is True
    assert out['same_after_second']
    assert out['installed'] is True
    assert out['installed_dist_name'] is True
    assert out['missing'] is False and out['missing_dotted'] is False
    assert osp.samefile(out['path'], out['expected'])
    assert osp.samefile(out['dist_path'], out['mmcv_dir'])
    assert out['module'] == 'mmcv'
    assert out['config_patched'] and out['pu_patched'] and out['hub_patched']


def test_read_base_absolute_import_works_after_patch(tmp_path):
    """Lazy configs with an absolute ``read_base()`` import call
    ``get_installed_path`` for the package (here one on PYTHONPATH)."""
    pkg = tmp_path / 'site' / 'cfgpkg_probe'
    (pkg / 'configs').mkdir(parents=True)
    (pkg / '__init__.py').write_text('')
    (pkg / 'configs' / '__init__.py').write_text('')
    (pkg / 'configs' / 'base_rt.py').write_text('max_epochs = 7\n')
    cfg = tmp_path / 'lazy_cfg.py'
    cfg.write_text(
        'from mmengine.config import read_base\n'
        'with read_base():\n'
        '    from cfgpkg_probe.configs.base_rt import *\n'
        'lr = 0.5\n'
    )
    out = _run(
        f"""
        import json
        from mmengine.config import Config
        try:
            Config.fromfile({str(cfg)!r})
            before = 'ok'
        except Exception as exc:
            before = type(exc).__name__ + ': ' + str(exc)
        from vltoolkit.compat import patch_mmengine_pkg_resources
        patch_mmengine_pkg_resources()
        cfg = Config.fromfile({str(cfg)!r})
        print(json.dumps(dict(before=before, max_epochs=cfg.max_epochs,
                              lr=cfg.lr)))
        """,
        tmp_path,
        extra_path=[tmp_path / 'site'],
    )
    assert 'pkg_resources' in out['before']
    assert out['max_epochs'] == 7 and out['lr'] == 0.5


def test_no_patch_when_pkg_resources_is_importable(monkeypatch):
    import types

    import mmengine.utils as mu

    original = mu.is_installed
    monkeypatch.setitem(sys.modules, 'pkg_resources', types.ModuleType('pkg_resources'))
    assert compat.pkg_resources_available()
    assert compat.patch_mmengine_pkg_resources() is False
    assert mu.is_installed is original


def test_missing_pkg_resources_detected(monkeypatch):
    monkeypatch.setitem(sys.modules, 'pkg_resources', None)
    assert compat.pkg_resources_available() is False


# the importlib implementations, in this process (no patching needed)
def test_is_installed():
    assert compat.is_installed('mmengine')
    assert compat.is_installed('mmcv-lite')  # distribution name
    assert compat.is_installed('json')  # stdlib module, has an origin
    assert not compat.is_installed('surely_not_a_package_xyz')
    assert not compat.is_installed('surely_not_xyz.sub')


def test_get_installed_path():
    import mmcv
    import mmengine

    assert osp.samefile(compat.get_installed_path('mmengine'), osp.dirname(mmengine.__file__))
    assert osp.samefile(compat.get_installed_path('mmcv-lite'), osp.dirname(mmcv.__file__))
    # a package that is only importable (no distribution metadata)
    import vltoolkit

    assert osp.samefile(compat.get_installed_path('vltoolkit'), osp.dirname(vltoolkit.__file__))
    with pytest.raises(ImportError):
        compat.get_installed_path('surely_not_a_package_xyz')


def test_package2module():
    assert compat.package2module('mmcv-lite') == 'mmcv'
    assert compat.package2module('mmengine') == 'mmengine'
    with pytest.raises(ImportError):
        compat.package2module('surely_not_a_package_xyz')


def test_compat_exports():
    import vltoolkit.compat

    for name in vltoolkit.compat.__all__:
        assert getattr(vltoolkit.compat, name) is not None, name
    from vltoolkit.engine.checkpoint import CheckpointError  # the published path

    assert vltoolkit.compat.CheckpointError is CheckpointError
