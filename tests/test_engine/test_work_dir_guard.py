"""A new run is refused over another run's checkpoints, and a second run in a
busy work dir is refused; a killed run leaves no stuck lock (issue 22, part 4)."""

import os
import signal
import subprocess
import sys

import pytest
from mmengine.config import Config

from tests.conftest import ROOT
from vltoolkit.engine.runner import work_dir_guard
from vltoolkit.engine.runner.work_dir_guard import WorkDirError, claim_work_dir

# another process running claim_work_dir (the module alone: stdlib only)
HOLD = (
    'import importlib.util, sys, time\n'
    'spec = importlib.util.spec_from_file_location("guard", sys.argv[2])\n'
    'guard = importlib.util.module_from_spec(spec)\n'
    'spec.loader.exec_module(guard)\n'
    'guard.claim_work_dir(dict(work_dir=sys.argv[1]))\n'
    'print("locked", flush=True)\n'
    'time.sleep(120)\n'
)


@pytest.fixture(autouse=True)
def _fresh_locks(monkeypatch):
    monkeypatch.setattr(work_dir_guard, '_held', {})
    for key in ('RANK', 'SLURM_PROCID', 'OMPI_COMM_WORLD_RANK'):  # this process is rank 0
        monkeypatch.delenv(key, raising=False)


def test_new_run_over_checkpoints_is_refused(tmp_path):
    (tmp_path / 'epoch_1.pth').write_bytes(b'x')
    with pytest.raises(WorkDirError) as err:
        claim_work_dir(Config(dict(work_dir=str(tmp_path))))
    msg = str(err.value)
    assert 'epoch_1.pth' in msg
    assert '--resume' in msg and '--work-dir' in msg and '--overwrite' in msg
    claim_work_dir(Config(dict(work_dir=str(tmp_path), resume=True)))  # resuming: fine


def test_overwrite_flag_or_key_allows_it(tmp_path):
    (tmp_path / 'last_checkpoint').write_text('x')
    claim_work_dir(Config(dict(work_dir=str(tmp_path))), overwrite=True)
    work_dir_guard._held.clear()
    claim_work_dir(Config(dict(work_dir=str(tmp_path), overwrite_work_dir=True)))


def test_second_run_in_a_busy_work_dir_is_refused_until_the_first_dies(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, '-c', HOLD, str(tmp_path), work_dir_guard.__file__],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout.readline().strip() == 'locked'
        with pytest.raises(WorkDirError, match=rf'in use by another training run \(pid {proc.pid}'):
            claim_work_dir(Config(dict(work_dir=str(tmp_path))))
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    claim_work_dir(Config(dict(work_dir=str(tmp_path))))  # kill -9 left no stuck lock


@pytest.mark.slow
def test_train_tool_refuses_a_rerun(tmp_path):
    (tmp_path / 'epoch_1.pth').write_bytes(b'x')
    cfg = ROOT / 'configs' / 'hoi' / 'ce_onehot_toy.py'
    proc = subprocess.run(
        [sys.executable, str(ROOT / 'tools' / 'train.py'), str(cfg), '--work-dir', str(tmp_path)],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    assert proc.returncode != 0
    assert 'WorkDirError' in proc.stderr and '--overwrite' in proc.stderr
    assert (tmp_path / 'epoch_1.pth').read_bytes() == b'x'
