"""DeepSpeed ZeRO-2 and ZeRO-3 on 2 CPU ranks (gloo, ``DS_ACCELERATOR=cpu``):
the weights are DDP's to 1e-4, the folder a run saves converts with
tools/model_converters/deepspeed_to_mmengine.py and scores with
tools/test.py, and a ZeRO-3 run stopped by SIGTERM resumes with --resume.

The first DeepSpeed run on a machine compiles DeepSpeed's shared-memory
communication op (about 2 min on 2 cores; cached in
``~/.cache/torch_extensions`` or ``$TORCH_EXTENSIONS_DIR``)."""

import importlib.util
import re

import pytest

from tests.conftest import ROOT

from .conftest import DIST_OPTS, TOY_CFG, max_weight_diff, run_tool, weights

pytestmark = [
    pytest.mark.real_engine,
    pytest.mark.slow,
    pytest.mark.xdist_group('ddp_reference'),  # one worker builds it (test_multinode.py)
    pytest.mark.skipif(
        importlib.util.find_spec('deepspeed') is None,
        reason='deepspeed not installed: DS_BUILD_OPS=0 pip install --no-build-isolation deepspeed',
    ),
]

DS_ENV = dict(DS_ACCELERATOR='cpu')
CONVERTER = 'model_converters/deepspeed_to_mmengine.py'


def _counts(log):
    """The validation / test counts that depend on every prediction."""
    found = re.findall(r'hoi/unparseable: (\d+)\s+hoi/unknown_segments: (\d+)', log)
    assert found, log[-3000:]
    return found[-1]


def _convert_and_test(toy_dir, ckpt_dir, out, train_log):
    proc = run_tool([CONVERTER, str(ckpt_dir), str(out)], toy_dir, extra_env=DS_ENV)
    assert 'saved' in proc.stdout
    test = run_tool(
        ['test.py', TOY_CFG, str(out), '--cfg-options', 'test_dataloader.batch_size=4'], toy_dir
    )
    assert 'Test results' in test.stdout
    # the converted weights predict what the DeepSpeed run's own validation did
    assert _counts(test.stdout) == _counts(train_log)


def test_zero2_matches_ddp_and_the_converted_checkpoint_tests(toy_dir, ddp_reference):
    work = toy_dir / 'work_dirs' / 'zero2'
    proc = run_tool(
        ['dist_train.sh', TOY_CFG, '2', '--strategy', 'deepspeed_zero2', '--work-dir', str(work),
         '--cfg-options', *DIST_OPTS],
        toy_dir, nproc=2, extra_env=DS_ENV, timeout=900,
    )  # fmt: skip
    log = proc.stdout + proc.stderr
    assert 'DeepSpeedStrategy' in log
    assert (work / 'epoch_2.pth').is_dir()  # a DeepSpeed folder, no `latest` file
    out = toy_dir / 'zero2_converted.pth'
    _convert_and_test(toy_dir, work / 'epoch_2.pth', out, log)
    assert max_weight_diff(weights(ddp_reference), weights(out)) < 1e-4


def test_zero3_stopped_by_sigterm_resumes_matches_ddp_and_tests(toy_dir, ddp_reference):
    cfg = toy_dir / 'zero3_sigterm_cfg.py'
    cfg.write_text(
        f'_base_ = [{TOY_CFG!r}]\n'
        "custom_imports = dict(imports=['signal_hook'], allow_failed_imports=False)\n"
        "custom_hooks = [dict(type='SignalAtIterHook', at_iter=3)]\n"
    )
    work = toy_dir / 'work_dirs' / 'zero3'
    args = ['2', '--strategy', 'deepspeed_zero3', '--work-dir', str(work)]
    plugins = dict(DS_ENV, PYTHONPATH=str(ROOT / 'tests' / 'data' / 'plugins'))
    stopped = run_tool(
        ['dist_train.sh', str(cfg), *args, '--cfg-options', *DIST_OPTS],
        toy_dir, nproc=2, check=False, extra_env=plugins, timeout=900,
    )  # fmt: skip
    log = stopped.stdout + stopped.stderr
    assert log.count('exitcode  : 75') == 2, log[-4000:]  # both ranks saved and stopped
    assert (work / 'iter_3.pth').is_dir() and not (work / 'epoch_2.pth').exists()
    resumed = run_tool(
        ['dist_train.sh', TOY_CFG, *args, '--resume', '--cfg-options', *DIST_OPTS],
        toy_dir, nproc=2, extra_env=DS_ENV, timeout=900,
    )  # fmt: skip
    log = resumed.stdout + resumed.stderr
    assert 'resumed epoch: 1, iter: 3' in log
    out = toy_dir / 'zero3_converted.pth'
    _convert_and_test(toy_dir, work / 'epoch_2.pth', out, log)
    assert max_weight_diff(weights(ddp_reference), weights(out)) < 1e-4
