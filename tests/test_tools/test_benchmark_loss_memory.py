"""benchmark_loss_memory.py at a tiny size on the CPU: each variant in its
own process, the same loss value from both, the ratio lines last."""

import re

import pytest

from .conftest import run_tool

pytestmark = pytest.mark.slow


@pytest.mark.parametrize('loss', ['ce', 'gem'])
def test_prints_both_variants_and_the_ratios_last(loss, tmp_path):
    proc = run_tool(
        [
            'analysis/benchmark_loss_memory.py',
            '--vocab',
            '16384',
            '--batch',
            '2',
            '--tokens',
            '128',
            '--hidden',
            '64',
            '--loss',
            loss,
            '--repeats',
            '1',
            '--baselines',
            'liger,cce',
        ],
        tmp_path,
    )
    lines = proc.stdout.strip().splitlines()
    assert 'baseline liger: skipped, it needs a CUDA device' in proc.stdout
    assert re.fullmatch(r'memory ratio \d+\.\d{3}', lines[-2])
    assert re.fullmatch(r'time ratio \d+\.\d{3}', lines[-1])
    values = {
        name: float(value)
        for name, value in re.findall(
            r'^\s+(materialised|chunked) .* loss (-?[\d.]+)$', proc.stdout, re.M
        )
    }
    assert values.keys() == {'materialised', 'chunked'}
    assert abs(values['chunked'] - values['materialised']) <= 1e-5 * abs(values['materialised'])
