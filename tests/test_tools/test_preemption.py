"""A signal that reaches one rank of a torchrun run stops every rank at the
same iteration, after the checkpoint of that iteration
(PreemptionHook; docs/distributed.md)."""

import pytest

from tests.conftest import ROOT

from .conftest import TOY_CFG, run_tool

pytestmark = pytest.mark.slow


def test_sigusr1_to_rank_1_only_saves_and_stops_both_ranks_at_that_iteration(toy_workdir):
    opts = [
        'train_cfg.max_epochs=1',
        'train_cfg.val_interval=1',
        'train_dataloader.batch_size=2',
        'train_dataloader.dataset.indices=32',  # 8 iterations on 2 ranks
        'val_dataloader.batch_size=4',
        'default_hooks.logger.interval=4',
    ]
    cfg = toy_workdir / 'signal_rank1_cfg.py'
    cfg.write_text(
        f'_base_ = [{TOY_CFG!r}]\n'
        "custom_imports = dict(imports=['signal_hook'], allow_failed_imports=False)\n"
        "custom_hooks = [dict(type='SignalAtIterHook', at_iter=3, signum='SIGUSR1', rank=1)]\n"
    )
    plugins = dict(PYTHONPATH=str(ROOT / 'tests' / 'data' / 'plugins'))
    work = toy_workdir / 'work_dirs' / 'preempt_dist'
    stopped = run_tool(
        ['dist_train.sh', str(cfg), '2', '--work-dir', str(work), '--cfg-options', *opts],
        toy_workdir,
        nproc=2,
        check=False,
        extra_env=plugins,
    )
    log = stopped.stdout + stopped.stderr
    # torchrun itself reports a failed worker as 1; each worker exited 75
    assert stopped.returncode != 0 and log.count('exitcode  : 75') == 2, log[-4000:]
    assert 'SIGUSR1 received: saved' in log and 'after iteration 3' in log
    assert sorted(p.name for p in work.glob('*.pth')) == ['iter_3.pth']
    assert (work / 'last_checkpoint').read_text() == str(work / 'iter_3.pth')
    # resuming from it ends like an uninterrupted run: tests/test_engine/
    # test_preemption_hook.py (1 process), tests/test_real_engines/test_slurm.py (2 tasks)
