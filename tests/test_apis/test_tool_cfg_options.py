"""tools/infer.py, demo/web_demo.py and tools/data/make_toy_vlm.py take
``--cfg-options`` and read the config through prepare_config (fast: no
model is built); the web demo's task list and layout."""

import importlib.util
import re

import pytest

from tests.conftest import ROOT, load_tool


def _web_demo():
    spec = importlib.util.spec_from_file_location('web_demo', ROOT / 'demo' / 'web_demo.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Captured(Exception):
    pass


def _capture_inferencer(monkeypatch):
    """VLInferencer replaced by a stub that records its arguments."""
    import vltoolkit.apis as apis

    seen = {}

    def fake(config, checkpoint=None, device=None, cfg_options=None, **kwargs):
        seen.update(config=config, checkpoint=checkpoint, cfg_options=cfg_options)
        raise _Captured

    monkeypatch.setattr(apis, 'VLInferencer', fake)
    return seen


def test_infer_passes_cfg_options_to_the_inferencer(monkeypatch):
    infer = load_tool('infer.py')
    seen = _capture_inferencer(monkeypatch)
    argv = ['cfg.py', 'none', 'img.png', '--prompt', 'p', '--cfg-options', 'data_root=/mine']
    argv += ['pretrained_root=/weights']
    with pytest.raises(_Captured):
        infer.main(argv)
    assert seen['cfg_options'] == {'data_root': '/mine', 'pretrained_root': '/weights'}
    assert seen['checkpoint'] is None


def test_web_demo_passes_cfg_options_to_every_recipe(monkeypatch):
    web_demo = _web_demo()
    args = web_demo.parse_args(
        ['--recipe', 'a.py', 'none', '--recipe', 'b.py', 'x.pth', '--cfg-options', 'data_root=/d']
    )
    backend = web_demo.DemoBackend(args.recipe, None, args.cfg_options)
    seen = _capture_inferencer(monkeypatch)
    for name in backend.recipes:
        with pytest.raises(_Captured):
            backend.inferencer(name)
        assert seen['cfg_options'] == {'data_root': '/d'}


def test_make_toy_vlm_reads_cfg_options(tmp_path):
    make_toy_vlm = load_tool('data/make_toy_vlm.py')
    recipe = tmp_path / 'r.py'
    recipe.write_text(
        "data_root = 'd'\nmodel = dict(type='NotAVLM', pretrained='${data_root}/m')\n"
    )
    with pytest.raises(SystemExit, match="'NotAVLM' is not a pretrained VLM"):
        make_toy_vlm.main([str(recipe), '--cfg-options', 'data_root=/mine'])
    with pytest.raises(ValueError, match="did you mean 'data_root'"):  # a typo is refused
        make_toy_vlm.main([str(recipe), '--cfg-options', 'data_rot=/mine'])


def test_web_demo_task_list_has_every_task_its_labels_name():
    web_demo = _web_demo()
    source = (ROOT / 'demo' / 'web_demo.py').read_text()
    named = set(re.findall(r'\((\w+)\) relation', source))
    assert named and named <= set(web_demo.TASKS)
    record = web_demo.make_input('img', 'hoi_loc', 'hold', subject_box='1 2 30 40')
    assert record['task'] == 'hoi_loc' and record['relation_text'] == 'hold'
    assert record['gt_bboxes'] == [[1.0, 2.0, 30.0, 40.0]]
    with pytest.raises(ValueError, match='relation'):
        web_demo.make_input('img', 'hoi_loc', '', subject_box='1 2 30 40')


@pytest.mark.slow  # a subprocess / gradio import: ~10-35 s on 2 busy cores
def test_web_demo_ask_button_sits_next_to_the_prompt():
    pytest.importorskip('gradio', reason='the web demo is an optional extra (pip install gradio)')
    web_demo = _web_demo()
    demo = web_demo.build_demo(web_demo.DemoBackend([('configs/hoi/ce_onehot_toy.py', 'none')]))
    blocks = list(demo.blocks.values())
    button = next(b for b in blocks if type(b).__name__ == 'Button')
    prompt = next(b for b in blocks if getattr(b, 'label', '') and 'prompt' in b.label)
    image = next(b for b in blocks if getattr(b, 'label', None) == 'image')

    def ancestors(block):
        while block.parent is not None:
            block = block.parent
            yield block

    def row_of(block):
        return next(a for a in ancestors(block) if type(a).__name__ == 'Row')

    assert row_of(button) is row_of(prompt)  # one row: Ask is where the question is typed
    column = row_of(button).parent
    under_column = [b for b in [image, *ancestors(image)] if b.parent is column][0]
    order = [c._id for c in column.children]
    assert order.index(row_of(button)._id) < order.index(under_column._id)  # above the image
