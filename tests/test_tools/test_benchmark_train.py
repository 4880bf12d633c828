"""benchmark_train.py and gpu_check.sh on the CPU."""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT, free_port

from .conftest import run_tool

pytestmark = pytest.mark.slow


def test_benchmark_train_on_the_toy_recipe(toy_workdir):
    """Runner vs hand-written loop over the same batches; the numbers agree
    with each other (tokens, samples) and with a FLOP count made here."""
    out = toy_workdir / 'bench.json'
    proc = run_tool(
        [
            'analysis/benchmark_train.py',
            str(ROOT / 'configs' / 'hoi' / 'gem_distlabel_toy.py'),
            '--steps',
            '4',
            '--warmup',
            '1',
            '--batch-size',
            '4',
            '--json',
            str(out),
        ],
        toy_workdir,
    )
    assert 'Runner / hand-written' in proc.stdout
    r = json.loads(out.read_text())
    assert r['steps'] == 4 and r['batch_size'] == 4
    assert r['runner_over_hand'] > 0 and 0 <= r['data_wait_share'] < 1
    # tokens / s and samples / s over the same time: their ratio is the mean
    # number of target tokens per sample, between 1 and the longest target
    per_sample = r['target_tokens_per_s'] / r['samples_per_s']
    assert 1 <= per_sample <= 64
    assert r['mfu'] is None and r['flops_per_s'] > 0  # CPU: FLOP/s, no MFU
    assert 0 < r['trained_params'] <= r['total_params']
    # a forward + backward costs at least 6 FLOPs per parameter per target
    # token on the decoder side: a lower bound the count must clear
    assert r['flops_per_step'] > 2 * r['total_params'] * 4


def test_gpu_check_smoke_runs_on_cpu(tmp_path):
    env = dict(os.environ, PYTHON=sys.executable, OMP_NUM_THREADS='1', PORT=str(free_port()))
    proc = subprocess.run(
        ['bash', str(ROOT / 'tools' / 'analysis' / 'gpu_check.sh'), '--cpu', '--tiny'],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    lines = [line for line in proc.stdout.splitlines() if ': step ' in line]
    assert [line.split(':')[0] for line in lines] == [
        'base_bf16',
        'base_bf16_ckpt',
        'large_bf16_ckpt',
        'florence2_bf16',
        'florence2_bf16_ckpt',
        'base_fsdp_1proc',
    ]
    for line in lines:
        assert 'samples/s' in line and 'MFU n/a' in line and 'FLOP/s' in line
    bad = subprocess.run(
        ['bash', str(ROOT / 'tools' / 'analysis' / 'gpu_check.sh'), '--fast'],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and 'usage' in bad.stderr
