"""The inferencer on a pretrained-VLM recipe with no checkpoint of ours
(zero-shot): the tiny Florence-2 folder of the toy twin, answers equal to
tools/test.py's zero-shot dump."""

import os
import pickle

import pytest
from mmengine.config import Config

from tests.conftest import ROOT
from vltoolkit.apis import VLInferencer
from vltoolkit.registry import DATASETS
from vltoolkit.utils.config_refs import resolve_config_refs

from .conftest import run_tool

pytestmark = pytest.mark.slow

CFG = str(ROOT / 'configs' / 'hoi' / 'florence2-base_gem_distlabel_toy.py')
FEW = ['test_dataloader.dataset.indices=6', 'test_dataloader.batch_size=6']


@pytest.mark.xdist_group('florence2_toy')  # writes the toy folder's florence2/
def test_zero_shot_florence2_answers_as_test_py(toy_workdir, monkeypatch):
    run_tool(['data/make_toy_vlm.py', CFG], toy_workdir)
    preds = toy_workdir / 'florence2_zero_shot.pkl'
    run_tool(
        [
            'test.py',
            CFG,
            'none',
            '--work-dir',
            'work_dirs/florence2_zero',
            '--out',
            str(preds),
            '--cfg-options',
            *FEW,
        ],
        toy_workdir,
    )
    with open(preds, 'rb') as f:
        dumped = pickle.load(f)
    monkeypatch.chdir(toy_workdir)  # the toy recipe reads data/ relative to the cwd
    inferencer = VLInferencer(CFG, None, device='cpu')
    assert type(inferencer.box_coder).__name__ == 'Florence2BoxCoder'
    cfg = Config.fromfile(CFG)
    resolve_config_refs(cfg, skip=('load_from',))
    dataset_cfg = cfg.test_dataloader.dataset
    dataset_cfg.pipeline = []
    dataset = DATASETS.build(dataset_cfg)
    records = [dataset.get_data_info(i) for i in range(6)]
    out = inferencer(
        [
            dict(
                image=r['img_path'],
                **{
                    k: r[k]
                    for k in ('task', 'gt_bboxes', 'subject_name', 'object_name', 'relation_text')
                },
            )
            for r in records
        ]
    )
    assert [o['prompt'] for o in out] == [d['prompt'] for d in dumped]
    assert [o['text'] for o in out] == [d['pred_text'] for d in dumped]
    assert all('<loc_' in o['prompt'] for o in out)
    assert os.path.isdir(toy_workdir / 'data' / 'toy_hoi' / 'florence2')
