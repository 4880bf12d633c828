"""The Florence-2 toy recipe end to end: a tiny random Florence-2 folder
(tools/data/make_toy_vlm.py), 2 CPU ranks (tools/dist_train.sh), then
tools/test.py with our checkpoint."""

import pytest

from tests.conftest import ROOT

from .conftest import SMALL, run_tool

CFG = str(ROOT / 'configs' / 'hoi' / 'florence2-base_gem_distlabel_toy.py')
# the first samples only: 2 ranks x 2 batches of 4, 8 test samples
FEW = [
    'train_dataloader.dataset.indices=16',
    'val_dataloader.dataset.indices=8',
    'test_dataloader.dataset.indices=8',
]


@pytest.mark.slow
@pytest.mark.xdist_group('florence2_toy')  # writes the toy folder's florence2/
def test_florence2_toy_recipe_trains_on_two_ranks_then_tests(toy_workdir):
    proc = run_tool(['data/make_toy_vlm.py', CFG], toy_workdir)
    assert 'florence2' in proc.stdout
    assert (toy_workdir / 'data' / 'toy_hoi' / 'florence2' / 'config.json').is_file()
    run_tool(
        [
            'dist_train.sh',
            CFG,
            '2',
            '--work-dir',
            'work_dirs/florence2',
            '--cfg-options',
            'train_cfg.max_epochs=1',
            'train_cfg.val_interval=1',
            'train_dataloader.batch_size=4',
            'val_dataloader.batch_size=4',
            *FEW,
        ],
        toy_workdir,
        nproc=2,
    )
    ckpt = toy_workdir / 'work_dirs' / 'florence2' / 'epoch_1.pth'
    proc = run_tool(['test.py', CFG, str(ckpt), '--cfg-options', *SMALL, *FEW], toy_workdir)
    for key in ('hoi/macro_f1', 'grounding/acc_at_0_5'):
        assert key in proc.stdout, key
    # zero-shot (`test.py CONFIG none`) runs in docs/pretrained_vlms.md's commands
    # (tests/test_docs) and in tests/test_apis/test_vlm_inferencer.py


def test_zero_shot_needs_a_pretrained_model(tmp_path):
    # refused before any data is read: no toy set needed
    proc = run_tool(
        ['test.py', str(ROOT / 'configs' / 'hoi' / 'ce_onehot_toy.py'), 'none'],
        tmp_path,
        check=False,
    )
    assert proc.returncode != 0 and 'no `pretrained=`' in proc.stderr


QWEN_CFG = str(ROOT / 'configs' / 'grounding' / 'qwen2.5-vl-3b_ce_onehot_toy.py')


@pytest.mark.slow
def test_qwen2_5_vl_toy_recipe_trains_on_two_ranks_then_tests(tmp_path):
    """Boxes as text numbers end to end: the toy folder (a byte-level BPE
    tokenizer with single-digit numbers), 2 CPU ranks, then Acc@0.5."""
    from vltoolkit.datasets.toy import make_toy_refcoco

    make_toy_refcoco(str(tmp_path / 'data' / 'toy_refcoco'), num_train=8, num_val=4, seed=0)
    proc = run_tool(['data/make_toy_vlm.py', QWEN_CFG], tmp_path)
    assert 'qwen2_5_vl' in proc.stdout
    few = ['train_dataloader.dataset.indices=8', 'test_dataloader.dataset.indices=4']
    run_tool(
        [
            'dist_train.sh',
            QWEN_CFG,
            '2',
            '--work-dir',
            'work_dirs/qwen',
            '--cfg-options',
            'train_cfg.max_epochs=1',
            'train_cfg.val_interval=2',
            'train_dataloader.batch_size=2',
            *few,
        ],
        tmp_path,
        nproc=2,
    )
    ckpt = tmp_path / 'work_dirs' / 'qwen' / 'epoch_1.pth'
    proc = run_tool(
        ['test.py', QWEN_CFG, str(ckpt), '--cfg-options', 'test_dataloader.batch_size=2', *few],
        tmp_path,
    )
    assert 'grounding/acc_at_0_5' in proc.stdout
