"""The inferencer answers as tools/test.py does, in batches, with clear errors."""

import os
import pickle

import numpy as np
import pytest
from mmengine.config import Config
from PIL import Image

from vltoolkit.apis import CheckpointMismatchError, VLInferencer, grounding_input, hoi_input
from vltoolkit.registry import DATASETS
from vltoolkit.utils.config_refs import resolve_config_refs

from .conftest import TOY_CFG

pytestmark = pytest.mark.slow


@pytest.fixture(scope='module')
def inferencer(trained_toy):
    workdir, ckpt = trained_toy[:2]
    old = os.getcwd()
    os.chdir(workdir)  # the toy recipe reads data/toy_hoi relative to the cwd
    try:
        yield VLInferencer(TOY_CFG, str(ckpt), device='cpu', batch_size=16)
    finally:
        os.chdir(old)


def _test_records(workdir):
    cfg = Config.fromfile(TOY_CFG)
    cfg.data_root = str(workdir / cfg.data_root)
    resolve_config_refs(cfg, skip=('load_from',))
    dataset_cfg = cfg.test_dataloader.dataset
    dataset_cfg.pipeline = []
    dataset = DATASETS.build(dataset_cfg)
    return [dataset.get_data_info(i) for i in range(len(dataset))]


def _as_input(record, image=None):
    return dict(
        image=record['img_path'] if image is None else image,
        **{
            k: record[k]
            for k in ('task', 'gt_bboxes', 'subject_name', 'object_name', 'relation_text')
        },
    )


def test_same_texts_as_test_py_and_boxes_are_the_coder_decode(inferencer, trained_toy):
    workdir, _, preds_path, _ = trained_toy
    with open(preds_path, 'rb') as f:
        preds = pickle.load(f)
    records = _test_records(workdir)
    out = inferencer([_as_input(r) for r in records])
    assert len(out) == len(preds) == len(records)
    assert [o['prompt'] for o in out] == [p['prompt'] for p in preds]
    assert [o['text'] for o in out] == [p['pred_text'] for p in preds]
    coder = inferencer.box_coder
    for o, p in zip(out, preds):
        h, w = p['img_shape']
        sx, sy = p['scale_factor']
        expected = [
            np.asarray(b) / [sx, sy, sx, sy] for b in coder.find_boxes(p['pred_text'], (w, h))
        ]
        assert len(o['boxes']) == len(expected)
        for got, exp in zip(o['boxes'], expected):
            assert np.allclose(got['box'], exp, atol=0.01)
        if o['task'] == 'hoi':
            assert o['relations'] is not None
            assert set(o['relations']) <= set(inferencer.relation_parser.classes)
        else:
            assert o['relations'] is None


def test_one_generate_call_per_batch_of_16(inferencer, trained_toy, monkeypatch):
    records = _test_records(trained_toy[0])[:16]
    lm = inferencer.model.language_model
    calls = []
    real = lm.generate

    def counting(*args, **kwargs):
        calls.append(kwargs['inputs_embeds'].shape[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(lm, 'generate', counting)
    out = inferencer([_as_input(r) for r in records])
    assert len(out) == 16 and calls == [16]


def test_path_array_and_pil_give_the_same_answer(inferencer, trained_toy):
    record = _test_records(trained_toy[0])[0]
    array = np.asarray(Image.open(record['img_path']).convert('RGB'))
    out = inferencer(
        [_as_input(record), _as_input(record, array), _as_input(record, Image.fromarray(array))]
    )
    assert out[0]['text'] == out[1]['text'] == out[2]['text']
    assert out[0]['image_size'] == (array.shape[1], array.shape[0])


def test_decoded_boxes_are_in_input_pixels(inferencer, trained_toy, monkeypatch):
    """A known answer (location tokens for a known box) comes back as that
    box in the input image's pixels, whatever the resize."""
    record = _test_records(trained_toy[0])[0]
    coder = inferencer.box_coder
    h, w = np.asarray(Image.open(record['img_path'])).shape[:2]
    big = np.asarray(Image.open(record['img_path']).convert('RGB').resize((w * 3, h * 2)))
    box = [30.0, 20.0, 150.0, 120.0]  # in the 3w x 2h input
    mw, mh = inferencer.cfg.img_scale  # the size the pipeline resizes to
    tokens = ''.join(coder.encode(np.array(box) * ([mw / (w * 3), mh / (h * 2)] * 2), (mw, mh)))

    def fake_predict(inputs, data_samples):
        for s in data_samples:
            s.pred_text = f'cup{tokens}'
        return data_samples

    monkeypatch.setattr(inferencer.model, 'predict', fake_predict)
    out = inferencer([hoi_input(big, [0, 0, 10, 10], [5, 5, 20, 20], 'cup')])[0]
    assert out['boxes'][0]['phrase'] == 'cup'
    # within one location cell of the box (the coder quantises)
    cell = np.array([w * 3, h * 2, w * 3, h * 2]) / coder.num_patches_per_side
    assert np.all(np.abs(np.array(out['boxes'][0]['box']) - box) <= cell)


def test_bad_inputs_fail_clearly(inferencer, trained_toy, tmp_path):
    record = _test_records(trained_toy[0])[0]
    broken = tmp_path / 'broken.png'
    broken.write_bytes(b'not an image at all')
    with pytest.raises(ValueError, match='broken.png'):
        inferencer([_as_input(record, str(broken))])
    with pytest.raises(FileNotFoundError, match='missing.png'):
        inferencer([dict(image=str(tmp_path / 'missing.png'), prompt='hi')])
    # the HOI template needs boxes: a grounding-style record has none
    with pytest.raises(ValueError, match="field"):
        inferencer([dict(image=record['img_path'], task='hoi')])
    with pytest.raises(ValueError, match='neither a prompt nor a task'):
        inferencer([dict(image=record['img_path'])])
    with pytest.raises(ValueError, match="no prompt template for task 'grounding'"):
        inferencer([grounding_input(record['img_path'], 'the cup')])


def test_checkpoint_of_another_recipe_is_refused(trained_toy, tmp_path, monkeypatch):
    monkeypatch.chdir(trained_toy[0])  # the toy recipe reads data/toy_hoi relative to the cwd
    ckpt = trained_toy[1]
    with pytest.raises(CheckpointMismatchError, match='of another shape|missing'):
        VLInferencer(
            TOY_CFG,
            str(ckpt),
            device='cpu',
            cfg_options={'model.language_model.config.d_model': 64},
        )
