"""The multi-task HOI study's chain on toy data: span-masking pre-training -> multi-task
training (task-grouped batches, exact accumulation) -> HOI fine-tuning, each
stage loading the previous checkpoint."""

import pytest

from tests.conftest import ROOT

from .conftest import run_tool

pytestmark = pytest.mark.slow
CFG = ROOT / 'configs' / 'multitask'


def test_pretrain_multitask_finetune_chain(tmp_path):
    from vltoolkit.datasets.toy import make_toy_hoi, make_toy_regions

    make_toy_regions(str(tmp_path / 'data' / 'toy_multitask'), num_train=12, num_val=4, seed=0)
    make_toy_hoi(str(tmp_path / 'data' / 'toy_multitask' / 'hoi'), num_train=12, num_test=6, seed=0)
    run_tool(['data/build_tokenizer.py', str(CFG / 'multitask_toy.py')], tmp_path)
    one_epoch = [
        'train_cfg.max_epochs=1',
        'default_hooks.checkpoint.interval=1',
        'default_hooks.logger.interval=1',
    ]
    run_tool(
        [
            'train.py',
            str(CFG / 'pretrain_span_toy.py'),
            '--work-dir',
            'work_dirs/pre',
            '--cfg-options',
            *one_epoch,
        ],
        tmp_path,
    )
    multi = run_tool(
        [
            'train.py',
            str(CFG / 'multitask_toy.py'),
            '--work-dir',
            'work_dirs/multi',
            '--cfg-options',
            *one_epoch,
            'train_cfg.val_interval=1',
            'load_from=work_dirs/pre/epoch_1.pth',
        ],
        tmp_path,
    )
    log = multi.stdout + multi.stderr
    assert 'Load checkpoint from work_dirs/pre/epoch_1.pth' in log
    assert 'hoi/macro_f1' in log and 'grounding/acc_at_0_5' in log
    fine = run_tool(
        [
            'train.py',
            str(CFG / 'hoi_finetune_toy.py'),
            '--work-dir',
            'work_dirs/fine',
            '--cfg-options',
            *one_epoch,
            'train_cfg.val_interval=1',
            'load_from=work_dirs/multi/epoch_1.pth',
        ],
        tmp_path,
    )
    log = fine.stdout + fine.stderr
    assert 'Load checkpoint from work_dirs/multi/epoch_1.pth' in log and 'hoi/macro_f1' in log


def test_multitask_exact_accumulation_on_two_cpu_ranks(tmp_path):
    """Task-grouped global plan + exact accumulation under DDP (gloo): every
    rank closes its updates together (no hang) and the run exits 0."""
    from vltoolkit.datasets.toy import make_toy_hoi, make_toy_regions

    make_toy_regions(str(tmp_path / 'data' / 'toy_multitask'), num_train=8, num_val=2, seed=1)
    make_toy_hoi(str(tmp_path / 'data' / 'toy_multitask' / 'hoi'), num_train=8, num_test=4, seed=1)
    run_tool(['data/build_tokenizer.py', str(CFG / 'multitask_toy.py')], tmp_path)
    proc = run_tool(
        [
            'dist_train.sh',
            str(CFG / 'multitask_toy.py'),
            '2',
            '--work-dir',
            'work_dirs/dist',
            '--cfg-options',
            'train_cfg.max_epochs=1',
            'train_cfg.val_interval=1',
            'default_hooks.logger.interval=1',
            # from scratch: not from pretrain_span_toy's last checkpoint
            'load_from=None',
        ],
        tmp_path,
        nproc=2,
    )
    assert proc.returncode == 0
    assert 'hoi/macro_f1' in proc.stdout + proc.stderr
    assert (tmp_path / 'work_dirs' / 'dist' / 'epoch_1.pth').is_file()
