"""tools/test.py shows the shared progress display over the test batches."""

import math
import pickle
import re

import pytest

from .conftest import TOY_CFG, run_tool

pytestmark = pytest.mark.slow

ANSI = re.compile(r'\x1b\[[0-9;?]*[A-Za-z]')
BATCH = 4


@pytest.fixture(scope='module')
def toy_checkpoint(trained_toy):
    return trained_toy[1]  # the session's toy checkpoint: any one shows the batches


def _test(toy_workdir, ckpt, *extra, env=None):
    return run_tool(
        [
            'test.py',
            TOY_CFG,
            str(ckpt),
            '--work-dir',
            'work_dirs/progress',
            *extra,
            '--cfg-options',
            f'test_dataloader.batch_size={BATCH}',
        ],
        toy_workdir,
        extra_env=env,
    )


def test_plain_lines_count_every_test_batch(toy_workdir, toy_checkpoint):
    proc = _test(toy_workdir, toy_checkpoint, '--out', 'progress_preds.pkl')
    with open(toy_workdir / 'work_dirs' / 'progress' / 'progress_preds.pkl', 'rb') as f:
        total = math.ceil(len(pickle.load(f)) / BATCH)
    counts = [(int(a), int(b)) for a, b in re.findall(r'test: (\d+)/(\d+) \(', proc.stdout)]
    assert counts and {b for _, b in counts} == {total}
    assert counts[-1][0] == total and counts == sorted(counts)
    assert re.search(
        rf'test: {total}/{total} \(100%\), [0-9.]+ it/s, '
        r'elapsed \d:\d\d:\d\d, ETA \d:\d\d:\d\d done',
        proc.stdout,
    )


def test_forced_rich_bar_ends_at_the_total(toy_workdir, toy_checkpoint):
    proc = _test(toy_workdir, toy_checkpoint, env=dict(VLT_PROGRESS='rich'))
    err = ANSI.sub('', proc.stderr)
    total = int(re.findall(r'Epoch\(test\) \[\s*(\d+)/\1\]', proc.stdout + err)[-1])
    final = err[err.rfind('test ') :]
    assert re.search(rf'test\s+━+\s+{total}/{total}\s+100%', final), final[-500:]
    assert 'test: ' not in proc.stdout  # no plain lines in rich mode
