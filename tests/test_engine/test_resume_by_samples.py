"""Resuming mid-epoch with another batch size or number of ranks trains
exactly the samples the epoch had left (or stops saying what changed)."""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT, free_port
from vltoolkit.engine.loops.resume_skip import ResumeMismatchError

from .resume_toy import N, train


def _epoch(batches, epoch):
    return [i for e, ids in batches if e == epoch for i in ids]


def _cut(work_dir, batch_size, at_iter):
    """Train, keep the checkpoint of ``at_iter`` as the one to resume from."""
    train(work_dir, batch_size, ckpt_every=at_iter)
    (work_dir / 'last_checkpoint').write_text(str(work_dir / f'iter_{at_iter}.pth'))


def test_resume_with_a_larger_batch_size_trains_the_rest_of_the_epoch(tmp_path):
    full = train(tmp_path / 'full', 4)
    order = _epoch(full, 1)  # epoch 2 of the uninterrupted run
    assert sorted(order) == list(range(N))
    # 3 iterations per epoch at batch 4: iteration 4 is 4 samples into epoch 2
    _cut(tmp_path / 'cut', 4, at_iter=4)
    resumed = train(tmp_path / 'cut', 6, resume=True)
    assert _epoch(resumed, 0) == []
    assert _epoch(resumed, 1) == order[4:]
    assert [len(ids) for _, ids in resumed] == [6, 2]


def test_resume_with_a_smaller_batch_size(tmp_path):
    full = train(tmp_path / 'full', 4)
    _cut(tmp_path / 'cut', 4, at_iter=5)  # 8 samples into epoch 2
    resumed = train(tmp_path / 'cut', 3, resume=True)
    assert _epoch(resumed, 1) == _epoch(full, 1)[8:]


def test_a_batch_sampler_that_cannot_skip_samples_refuses_a_changed_batch_size(tmp_path):
    _cut(tmp_path / 'cut', 4, at_iter=4)
    with pytest.raises(ResumeMismatchError, match=r'batch_size 4 -> 6.*Resume with'):
        train(tmp_path / 'cut', 6, resume=True, batch_sampler='_ResumeCustomBatchSampler')


def test_same_batching_skips_batches_as_before(tmp_path):
    full = train(tmp_path / 'full', 4)
    _cut(tmp_path / 'cut', 4, at_iter=4)
    resumed = train(tmp_path / 'cut', 4, resume=True)
    assert resumed == [b for b in full if b[0] == 1][1:]


@pytest.mark.slow
def test_resume_on_two_cpu_ranks_from_a_single_process_checkpoint(tmp_path):
    """Trained on 1 process with batch 2, resumed by torchrun on 2 gloo ranks
    with batch 2: rank r trains the positions p >= 6 with p % 2 == r of the
    epoch's global order, together exactly the 6 samples left."""
    full = train(tmp_path / 'full', 2)
    order = _epoch(full, 1)
    _cut(tmp_path / 'cut', 2, at_iter=9)  # 6 iterations per epoch: 6 samples in
    env = dict(
        os.environ,
        OMP_NUM_THREADS='1',
        PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get('PYTHONPATH', '')]),
    )
    out = tmp_path / 'ranks'
    proc = subprocess.run(
        [
            sys.executable,
            '-m',
            'torch.distributed.run',
            '--nproc_per_node',
            '2',
            '--master_port',
            str(free_port()),
            str(ROOT / 'tests' / 'test_engine' / 'resume_toy.py'),
            str(tmp_path / 'cut'),
            str(out),
            '2',
            '--resume',
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    ranks = [json.loads((tmp_path / f'ranks.rank{r}.json').read_text()) for r in (0, 1)]
    for r in (0, 1):
        assert _epoch(ranks[r], 0) == []
        assert _epoch(ranks[r], 1) == order[6 + r :: 2]
    assert 'after 6 of its 12 samples' in proc.stdout + proc.stderr
