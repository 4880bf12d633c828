"""YAML and JSON configs cannot import code: no dotted-name ``type`` fallback,
no ``custom_imports``, no ``.py`` base (issue 22, part 6)."""

import json
import sys

import pytest
from mmengine.config import Config

from vltoolkit.compat.data_config import DataConfigError
from vltoolkit.registry import MODELS


def test_dotted_type_in_yaml_is_refused(tmp_path):
    marker = tmp_path / 'PWNED'
    cfg = tmp_path / 'evil.yaml'
    cfg.write_text(f"model:\n  type: subprocess.run\n  args: [['touch', '{marker}']]\n")
    with pytest.raises(DataConfigError) as err:
        Config.fromfile(str(cfg))
    msg = str(err.value)
    assert "model.type='subprocess.run'" in msg and 'write a .py config' in msg
    assert not marker.exists()


def test_dotted_type_in_json_list_is_refused(tmp_path):
    cfg = tmp_path / 'evil.json'
    cfg.write_text(json.dumps(dict(pipeline=[dict(type='os.system', command='true')])))
    with pytest.raises(DataConfigError, match=r"pipeline\[0\]\.type='os.system'"):
        Config.fromfile(str(cfg))


def test_custom_imports_in_yaml_is_refused(tmp_path, monkeypatch):
    (tmp_path / 'evil_mod.py').write_text(f"open({str(tmp_path / 'PWNED')!r}, 'w').close()\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    cfg = tmp_path / 'evil.yaml'
    cfg.write_text('custom_imports: {imports: [evil_mod]}\nlr: 0.1\n')
    with pytest.raises(DataConfigError, match='custom_imports imports Python modules'):
        Config.fromfile(str(cfg))
    assert not (tmp_path / 'PWNED').exists() and 'evil_mod' not in sys.modules


def test_yaml_inheriting_a_python_config_is_refused(tmp_path):
    (tmp_path / 'base.py').write_text('lr = 0.1\n')
    (tmp_path / 'child.yml').write_text('_base_: [base.py]\n')
    with pytest.raises(DataConfigError, match="_base_ 'base.py' is a Python config"):
        Config.fromfile(str(tmp_path / 'child.yml'))


def test_data_bases_are_checked_and_scoped_names_load(tmp_path):
    (tmp_path / 'base.yaml').write_text(
        'model: {type: vltoolkit.Foo}\nopt: {type: builtins.eval}\n'
    )
    (tmp_path / 'child.yaml').write_text('_base_: base.yaml\n')
    with pytest.raises(DataConfigError, match=r'base\.yaml: opt\.type'):
        Config.fromfile(str(tmp_path / 'child.yaml'))
    (tmp_path / 'ok.yaml').write_text(
        'model: {type: vltoolkit.Foo}\nloop: {type: mmengine.EpochBasedTrainLoop}\nx: a.b\n'
    )
    assert Config.fromfile(str(tmp_path / 'ok.yaml')).model.type == 'vltoolkit.Foo'


def test_python_configs_still_import_code(tmp_path, monkeypatch):
    """The trust boundary: a .py config is code (its custom_imports run)."""
    (tmp_path / 'my_plugin_rel22.py').write_text('VALUE = 7\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / 'cfg.py').write_text("custom_imports = dict(imports=['my_plugin_rel22'])\n")
    Config.fromfile(str(tmp_path / 'cfg.py'))
    assert sys.modules['my_plugin_rel22'].VALUE == 7
    assert MODELS.get('vltoolkit.VisionSeq2Seq') is not None
