"""A YAML config is data: ``!!python`` payloads never run (issue 14, point 8)."""

import subprocess
import sys

from tests.conftest import ROOT

PAYLOAD = 'a: 1\nb: !!python/object/apply:os.system ["touch {marker}"]\n'


def _load_in_fresh_python(cfg_path, import_vltoolkit=True):
    code = ('import vltoolkit\n' if import_vltoolkit else '') + (
        'from mmengine.config import Config\n'
        'try:\n'
        f'    print(Config.fromfile({str(cfg_path)!r}).to_dict())\n'
        'except ValueError as err:\n'
        '    print("REFUSED", err)\n'
    )
    return subprocess.run(
        [sys.executable, '-c', code], capture_output=True, text=True, cwd=ROOT, timeout=300
    )


def test_python_tags_in_a_yaml_config_do_not_run(tmp_path):
    marker = tmp_path / 'PWNED'
    evil = tmp_path / 'evil.yaml'
    evil.write_text(PAYLOAD.format(marker=marker))
    proc = _load_in_fresh_python(evil)
    assert 'REFUSED YAML config refused' in proc.stdout, proc.stdout + proc.stderr
    assert 'python/object/apply:os.system' in proc.stdout
    assert 'write a .py config' in proc.stdout
    assert not marker.exists()


def test_plain_yaml_and_json_configs_still_load(tmp_path):
    (tmp_path / 'ok.yaml').write_text('model: {type: X, n: [1, 2]}\nlr: 0.1\n')
    proc = _load_in_fresh_python(tmp_path / 'ok.yaml')
    assert "{'model': {'type': 'X', 'n': [1, 2]}, 'lr': 0.1}" in proc.stdout, proc.stderr
    (tmp_path / 'ok.json').write_text('{"model": {"type": "X"}}')
    proc = _load_in_fresh_python(tmp_path / 'ok.json')
    assert "{'model': {'type': 'X'}}" in proc.stdout, proc.stderr


def test_the_trap_without_vltoolkit(tmp_path):
    """mmengine alone runs the payload: why the shim exists (delete this
    test with the shim once mmengine loads YAML safely)."""
    marker = tmp_path / 'PWNED'
    (tmp_path / 'evil.yaml').write_text(PAYLOAD.format(marker=marker))
    _load_in_fresh_python(tmp_path / 'evil.yaml', import_vltoolkit=False)
    assert marker.exists()
