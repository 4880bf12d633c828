"""Checkpoints are written atomically, pruned after the new one is complete,
and found again when ``last_checkpoint`` is empty or stale (issue 22, part 3)."""

import errno
import io

import pytest
import torch
from mmengine.fileio.backends import LocalBackend

from vltoolkit.compat import safe_torch_load
from vltoolkit.compat.atomic_checkpoint import CheckpointSaveError, find_latest_checkpoint

from .reliability_toy import build


def _disk_full_at_epoch(monkeypatch, epoch):
    """Every write of ``epoch_<epoch>.pth`` writes part of its bytes, then
    fails with ENOSPC (both mmengine's in-place ``put`` and our temp file)."""
    real_save, real_put = torch.save, LocalBackend.put
    name = f'epoch_{epoch}.pth'

    def failing_save(obj, f, *args, **kwargs):
        if isinstance(f, io.BytesIO) or name not in str(getattr(f, 'name', '')):
            return real_save(obj, f, *args, **kwargs)
        buf = io.BytesIO()
        real_save(obj, buf)
        f.write(buf.getvalue()[: len(buf.getvalue()) // 2])
        raise OSError(errno.ENOSPC, 'No space left on device')

    def failing_put(self, obj, filepath):
        if not str(filepath).endswith(name):
            return real_put(self, obj, filepath)
        with open(filepath, 'wb') as f:
            f.write(obj[: len(obj) // 2])
        raise OSError(errno.ENOSPC, 'No space left on device')

    monkeypatch.setattr(torch, 'save', failing_save)
    monkeypatch.setattr(LocalBackend, 'put', failing_put)


def test_full_disk_stops_the_run_and_keeps_the_last_good_checkpoint(tmp_path, monkeypatch):
    _disk_full_at_epoch(monkeypatch, 2)
    ckpt = dict(type='CheckpointHook', interval=1, max_keep_ckpts=1)
    runner = build(tmp_path, max_epochs=3, default_hooks=dict(checkpoint=ckpt))
    with pytest.raises(CheckpointSaveError) as err:
        runner.train()
    msg = str(err.value)
    assert 'No space left on device' in msg and str(tmp_path) in msg
    assert 'last complete checkpoint is' in msg and msg.count('epoch_1.pth') == 1
    # nothing under the new name, no temporary file; the old one survives
    # (max_keep_ckpts=1: mmengine deleted it before writing)
    files = [p.name for p in tmp_path.iterdir() if p.is_file() and p.suffix != '.py']
    assert sorted(files) == [
        'epoch_1.pth',
        'last_checkpoint',
    ]
    assert (tmp_path / 'last_checkpoint').read_text().endswith('epoch_1.pth')
    assert safe_torch_load(str(tmp_path / 'epoch_1.pth'))['meta']['epoch'] == 1


def test_old_checkpoints_pruned_only_after_the_new_one(tmp_path):
    ckpt = dict(type='CheckpointHook', interval=1, max_keep_ckpts=1)
    runner = build(tmp_path, max_epochs=3, default_hooks=dict(checkpoint=ckpt))
    seen = []
    real = runner.save_checkpoint

    def spy(out_dir, filename, *args, **kwargs):
        seen.append(sorted(p.name for p in tmp_path.glob('epoch_*.pth')))
        return real(out_dir, filename, *args, **kwargs)

    runner.save_checkpoint = spy
    runner.train()
    # when epoch 2 and 3 are written, the previous one is still there
    assert seen == [[], ['epoch_1.pth'], ['epoch_2.pth']]
    assert sorted(p.name for p in tmp_path.glob('*.pth')) == ['epoch_3.pth']


@pytest.mark.parametrize('content', ['', 'elsewhere/epoch_9.pth'])
def test_empty_or_stale_last_checkpoint_falls_back(tmp_path, content):
    build(tmp_path, max_epochs=2).train()
    (tmp_path / 'last_checkpoint').write_text(content)
    assert find_latest_checkpoint(str(tmp_path)) == str(tmp_path / 'epoch_2.pth')
    runner = build(tmp_path, max_epochs=3, resume=True)
    runner.train()
    assert runner.epoch == 3 and (tmp_path / 'epoch_3.pth').is_file()


def test_truncated_newest_checkpoint_is_skipped(tmp_path):
    build(tmp_path, max_epochs=2).train()
    data = (tmp_path / 'epoch_2.pth').read_bytes()
    (tmp_path / 'epoch_2.pth').write_bytes(data[: len(data) // 2])
    assert find_latest_checkpoint(str(tmp_path)) == str(tmp_path / 'epoch_1.pth')
