"""tools/demo.py regenerates its toy set when the folder holds another one.

A docs page that writes a 40-image set to the demo's folder must not make
``make demo`` train on it: ``tools/data/make_toy.py`` records what it made
(``toy_meta.json``) and the demo compares that record with its own set.
Small sizes here; the demo's 2,400 / 300 go through the same function.
"""

import json
import runpy
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from vltoolkit.datasets.toy import make_toy_hoi
from vltoolkit.datasets.toy.toy_meta import META_FILE, toy_meta, toy_meta_mismatch

prepare_toy_hoi = runpy.run_path(str(ROOT / 'tools' / 'demo.py'))['prepare_toy_hoi']


def _num_images(root, split):
    with open(root / 'annotations' / f'{split}.json') as f:
        return len(json.load(f))


@pytest.mark.slow  # three make_toy.py runs (~20 s on 2 busy cores)
def test_demo_regenerates_a_set_a_docs_page_left(tmp_path, capsys):
    root = tmp_path / 'toy_hoi'
    # first run: nothing there -> made, with its record
    assert prepare_toy_hoi(str(root), str(root), 6, 3) is True
    meta = json.loads((root / META_FILE).read_text())
    assert meta['settings']['num_train'] == 6 and meta['settings']['num_test'] == 3
    assert meta['settings']['object_scale'] == 1.6  # the generator's default, recorded
    assert sorted(meta['files']) == ['annotations/test.json', 'annotations/train.json']
    assert (_num_images(root, 'train'), _num_images(root, 'test')) == (6, 3)
    # second run: the record matches -> reused, said so
    capsys.readouterr()
    assert prepare_toy_hoi(str(root), str(root), 6, 3) is False
    assert 'toy_meta.json' in capsys.readouterr().out
    # a docs page writes a smaller set there (the documented command)
    subprocess.run(
        [sys.executable, 'tools/data/make_toy.py', 'hoi', '--out', str(root), '--num-train', '4',
         '--num-test', '2'],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    assert prepare_toy_hoi(str(root), str(root), 6, 3) is True
    out = capsys.readouterr().out
    assert 'num_train=4, wanted 6' in out and 'num_test=2, wanted 3' in out
    assert 'Regenerating' in out
    assert (_num_images(root, 'train'), _num_images(root, 'test')) == (6, 3)


def _wanted(num_train=6, num_test=3):
    return toy_meta('hoi', make_toy_hoi, dict(num_train=num_train, num_test=num_test, seed=0))


def test_mismatch_names_missing_record_and_changed_files(tmp_path):
    root = tmp_path / 'toy'
    make_toy_hoi(str(root), num_train=6, num_test=3)  # the Python API writes no record
    assert 'no toy_meta.json' in toy_meta_mismatch(str(root), _wanted())
    from vltoolkit.datasets.toy.toy_meta import write_toy_meta

    write_toy_meta(str(root), _wanted())
    assert toy_meta_mismatch(str(root), _wanted()) is None
    # annotations rewritten by hand (or by the Python API) after the record
    train = root / 'annotations' / 'train.json'
    train.write_text(json.dumps(json.loads(train.read_text())[:2]))
    assert 'annotations/train.json changed' in toy_meta_mismatch(str(root), _wanted())
    # another generator version: its source hash differs
    changed = dict(_wanted(), generator_sha256='0' * 64)
    assert 'generator source differs' in toy_meta_mismatch(str(root), changed)
