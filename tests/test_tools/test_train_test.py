"""End-to-end runs of tools/train.py, tools/test.py and tools/dist_train.sh."""

import pickle
import re

import pytest
import torch

from tests.conftest import ROOT
from vltoolkit.compat import safe_torch_load

from .conftest import SMALL, TOY_CFG, run_tool

pytestmark = pytest.mark.slow


def _final_metric(stdout):
    found = re.findall(r'hoi/macro_f1: ([0-9.]+)', stdout)
    assert found, stdout[-3000:]
    return float(found[-1])


def _weights(path):
    return safe_torch_load(str(path), map_location='cpu')['state_dict']


def _assert_same_weights(a, b, atol):
    assert a.keys() == b.keys()
    for key in a:
        assert torch.allclose(a[key], b[key], atol=atol), key


def test_train_then_test_with_dump_and_drawings(toy_workdir):
    opts = SMALL + ['train_cfg.max_epochs=2', 'train_cfg.val_interval=2']
    train = run_tool(
        ['train.py', TOY_CFG, '--work-dir', 'work_dirs/e2e', '--cfg-options', *opts], toy_workdir
    )
    for notice in (  # mmengine's harmless run-start noise (vltoolkit/compat/)
        'Failed to search registry with scope',
        '"FileClient" will be deprecated',
        '"HardDiskBackend" is the alias',
    ):
        assert notice not in train.stdout + train.stderr, notice
    ckpt = toy_workdir / 'work_dirs' / 'e2e' / 'epoch_2.pth'
    assert ckpt.is_file()
    proc = run_tool(
        [
            'test.py',
            TOY_CFG,
            str(ckpt),
            '--work-dir',
            'work_dirs/e2e_test',
            '--out',
            'preds.pkl',
            '--show-dir',
            'vis',
            '--cfg-options',
            *SMALL,
        ],
        toy_workdir,
    )
    assert 'Test results' in proc.stdout and 'hoi/macro_f1' in proc.stdout
    assert 'hold' in proc.stdout + proc.stderr  # the per-relation table
    # relative --out / --show-dir land under the work dir, not in the cwd
    out = toy_workdir / 'work_dirs' / 'e2e_test'
    with open(out / 'preds.pkl', 'rb') as f:
        preds = pickle.load(f)
    assert len(preds) > 0 and all('pred_text' in p for p in preds)
    assert len(list((out / 'vis').glob('*.png'))) == len(preds)
    assert not (toy_workdir / 'preds.pkl').exists() and not (toy_workdir / 'vis').exists()


def test_resume_after_kill_mid_epoch_matches_uninterrupted(toy_workdir):
    opts = SMALL + [
        'train_cfg.max_epochs=2',
        'train_cfg.val_interval=2',
        'default_hooks.checkpoint.by_epoch=False',
        'default_hooks.checkpoint.interval=3',
        'default_hooks.checkpoint.max_keep_ckpts=-1',
    ]
    full = run_tool(
        ['train.py', TOY_CFG, '--work-dir', 'work_dirs/full', '--cfg-options', *opts], toy_workdir
    )
    # a user config: the toy recipe plus a plugin (outside the package) that
    # SIGKILLs the run right after the checkpoint of iteration 6, mid-epoch 2
    kill_cfg = toy_workdir / 'kill_cfg.py'
    kill_cfg.write_text(
        f"_base_ = [{TOY_CFG!r}]\n"
        "custom_imports = dict(imports=['kill_hook'], allow_failed_imports=False)\n"
        "custom_hooks = [dict(type='KillAtIterHook', at_iter=7)]\n"
    )
    plugins = str(ROOT / 'tests' / 'data' / 'plugins')
    killed = run_tool(
        ['train.py', str(kill_cfg), '--work-dir', 'work_dirs/killed', '--cfg-options', *opts],
        toy_workdir,
        check=False,
        extra_env=dict(PYTHONPATH=plugins + ':' + str(ROOT)),
    )
    assert killed.returncode == -9, killed.stderr[-2000:]
    work = toy_workdir / 'work_dirs' / 'killed'
    assert (work / 'iter_6.pth').is_file() and not (work / 'iter_9.pth').exists()
    resumed = run_tool(
        ['train.py', TOY_CFG, '--work-dir', 'work_dirs/killed', '--resume', '--cfg-options', *opts],
        toy_workdir,
    )
    assert 'skipping those batches' in resumed.stdout + resumed.stderr
    assert _final_metric(resumed.stdout) == _final_metric(full.stdout)
    last = sorted(
        (toy_workdir / 'work_dirs' / 'full').glob('iter_*.pth'),
        key=lambda p: int(p.stem.split('_')[1]),
    )[-1]
    _assert_same_weights(_weights(last), _weights(work / last.name), atol=1e-6)


def test_dist_train_on_two_cpu_ranks_matches_single_process(toy_workdir):
    # 32 samples: a multiple of the global batch, so DefaultSampler pads no
    # rank with a repeated sample (the toy set's pair count may be odd)
    common = [
        'train_cfg.max_epochs=2',
        'train_cfg.val_interval=2',
        'val_dataloader.batch_size=4',
        'default_hooks.logger.interval=5',
        'train_dataloader.dataset.indices=32',
    ]
    single = run_tool(
        [
            'train.py',
            TOY_CFG,
            '--work-dir',
            'work_dirs/single',
            '--cfg-options',
            'train_cfg.max_epochs=2',
            'train_dataloader.batch_size=8',
            *common,
        ],
        toy_workdir,
    )
    dist = run_tool(
        [
            'dist_train.sh',
            TOY_CFG,
            '2',
            '--work-dir',
            'work_dirs/dist',
            '--cfg-options',
            'train_dataloader.batch_size=4',
            *common,
        ],
        toy_workdir,
        nproc=2,
    )
    assert dist.returncode == 0
    assert _final_metric(dist.stdout + dist.stderr) == _final_metric(single.stdout)
    _assert_same_weights(
        _weights(toy_workdir / 'work_dirs' / 'single' / 'epoch_2.pth'),
        _weights(toy_workdir / 'work_dirs' / 'dist' / 'epoch_2.pth'),
        atol=1e-4,
    )


def test_corrupted_checkpoint_and_unknown_type_fail_clearly(toy_workdir):
    bad = toy_workdir / 'truncated.pth'
    good = toy_workdir / 'work_dirs' / 'e2e' / 'epoch_2.pth'
    data = good.read_bytes() if good.exists() else b'PK\x03\x04' + b'0' * 100
    bad.write_bytes(data[: len(data) // 2])
    proc = run_tool(
        ['test.py', TOY_CFG, str(bad), '--cfg-options', *SMALL], toy_workdir, check=False
    )
    assert proc.returncode != 0
    assert 'truncated.pth' in proc.stderr and re.search('corrupt|truncat', proc.stderr)
    proc = run_tool(
        ['train.py', TOY_CFG, '--cfg-options', "model.loss.type=TokenCrossEntropyLos"],
        toy_workdir,
        check=False,
    )
    assert proc.returncode != 0
    assert 'UnknownTypeError' in proc.stderr and 'TokenCrossEntropyLoss' in proc.stderr


def test_flagship_gem_distlabel_runs_distributed_then_tests(toy_workdir):
    """tools/dist_train.sh configs/hoi/gem_distlabel(_toy).py N, then tools/test.py:
    relation questions scored by Macro F1, localisation queries by Acc@0.5."""
    flagship = TOY_CFG.replace('ce_onehot_toy', 'gem_distlabel_toy')
    run_tool(
        [
            'dist_train.sh',
            flagship,
            '2',
            '--work-dir',
            'work_dirs/flagship',
            '--cfg-options',
            'train_cfg.max_epochs=1',
            'train_cfg.val_interval=1',
            'train_dataloader.batch_size=4',
            'val_dataloader.batch_size=4',
        ],
        toy_workdir,
        nproc=2,
    )
    ckpt = toy_workdir / 'work_dirs' / 'flagship' / 'epoch_1.pth'
    proc = run_tool(['test.py', flagship, str(ckpt), '--cfg-options', *SMALL], toy_workdir)
    for key in ('hoi/macro_f1', 'grounding/acc_at_0_5', 'grounding/miou'):
        assert key in proc.stdout, key
    # the same evaluation on 2 ranks gives the same numbers (the sampler repeats
    # a sample to even out the ranks; the metrics must not score it twice)
    dist = run_tool(
        ['dist_test.sh', flagship, str(ckpt), '2', '--cfg-options', *SMALL], toy_workdir, nproc=2
    )
    single = re.findall(r'(hoi/macro_f1|grounding/miou)\s+│\s+([0-9.]+)', proc.stdout)
    assert single and single == re.findall(
        r'(hoi/macro_f1|grounding/miou)\s+│\s+([0-9.]+)', dist.stdout
    )
