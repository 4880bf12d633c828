"""Outputs never overwrite inputs or each other (issue 22, part 8)."""

import json
from argparse import Namespace

import pytest
from mmengine.config import Config

from tests.conftest import load_tool
from vltoolkit.utils.output_paths import infer_output_stem, refuse_existing


def test_infer_refuses_to_write_onto_its_input(tmp_path):
    image = tmp_path / 'x.png'
    image.write_bytes(b'png')
    with pytest.raises(ValueError, match='would overwrite the input image'):
        infer_output_stem(str(image), str(tmp_path))
    assert image.read_bytes() == b'png'


def test_same_stem_inputs_get_separate_outputs(tmp_path):
    out = tmp_path / 'out'
    out.mkdir()
    a, b = tmp_path / 'a' / 'x.jpg', tmp_path / 'b' / 'x.jpg'
    stem_a = infer_output_stem(str(a), str(out))
    (out / 'x.png').write_bytes(b'')
    (out / 'x.json').write_text(json.dumps(dict(image=str(a))))
    stem_b = infer_output_stem(str(b), str(out))
    assert stem_a == str(out / 'x') and stem_b == str(out / 'x_2')
    assert infer_output_stem(str(a), str(out)) == stem_a  # a rerun replaces its own


def test_test_tool_out_onto_an_existing_file_is_refused(tmp_path):
    test = load_tool('test.py')
    (tmp_path / 'preds.pkl').write_bytes(b'earlier')
    args = test.parse_args(['cfg.py', 'w.pth', '--out', 'preds.pkl'])
    cfg = Config(dict(work_dir=str(tmp_path), model=dict(type='X'), test_evaluator=[]))
    with pytest.raises(FileExistsError, match='--out .*preds.pkl already exists.*--overwrite'):
        test.merge_test_args(cfg, args)
    args = test.parse_args(['cfg.py', 'w.pth', '--out', 'preds.pkl', '--overwrite'])
    assert test.merge_test_args(cfg, args).test_evaluator[-1]['type'] == 'DumpResults'
    refuse_existing(str(tmp_path / 'new.pkl'), '--out')  # a new file: fine
    assert isinstance(args, Namespace)
