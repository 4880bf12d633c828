"""Safe (weights_only) loading of real mmengine checkpoints.

A tiny mmengine Runner writes a real checkpoint (HistoryBuffer + numpy in the
message hub, numpy ``best_score``); the tests load it, resume from it, and
check that malicious, truncated and numpy-1.x files behave as documented.
"""

import contextlib
import functools
import http.server
import os
import os.path as osp
import pickle
import shlex
import threading
import uuid
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn as nn
from mmengine.evaluator import BaseMetric, Evaluator
from mmengine.hooks import Hook
from mmengine.logging import HistoryBuffer
from mmengine.model import BaseModel
from mmengine.runner import CheckpointLoader, Runner
from mmengine.runner import checkpoint as mm_ckpt

from vltoolkit.compat import (
    MMENGINE_SAFE_GLOBALS,
    CheckpointError,
    add_safe_globals,
    load_from_http,
    load_from_local,
    register_safe_checkpoint_loaders,
    safe_torch_load,
)
from vltoolkit.compat import weights_only_checkpoint as safe_load

NUM_SAMPLES, BATCH_SIZE = 8, 2
ITERS_PER_EPOCH = NUM_SAMPLES // BATCH_SIZE


# --------------------------------------------------------------------------
# A tiny mmengine training run
# --------------------------------------------------------------------------
class ToyModel(BaseModel):
    """y = w * x + b: two parameters."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.zeros(1))
        self.b = nn.Parameter(torch.zeros(1))

    def forward(self, inputs, labels, mode='tensor'):
        pred = inputs * self.w + self.b
        if mode == 'loss':
            return dict(loss=((pred - labels) ** 2).mean())
        if mode == 'predict':
            return list(zip(pred, labels))
        return pred


class ToyMetric(BaseMetric):
    """Returns a numpy float, so the checkpoint holds numpy scalars."""

    default_prefix = 'toy'

    def process(self, data_batch, data_samples):
        self.results.extend(float((p - t) ** 2) for p, t in data_samples)

    def compute_metrics(self, results):
        return dict(mse=np.float64(np.mean(results)))


class RecordStart(Hook):
    """Records where training starts (after load_or_resume)."""

    def before_train(self, runner):
        loss = runner.message_hub.get_scalar('train/loss')
        self.start = dict(
            epoch=runner.epoch,
            iter=runner.iter,
            w=runner.model.w.detach().clone(),
            loss_count=len(loss.data[0]),
            loss_mean=float(loss.mean()),
        )


def _dataloader():
    xs = torch.linspace(-1, 1, NUM_SAMPLES)
    data = [dict(inputs=x.reshape(1), labels=(2 * x + 1).reshape(1)) for x in xs]
    return dict(
        dataset=data,
        sampler=dict(type='DefaultSampler', shuffle=False),
        batch_size=BATCH_SIZE,
        num_workers=0,
        collate_fn=dict(type='default_collate'),
    )


def _runner(work_dir, max_epochs=1, **kwargs):
    return Runner(
        model=ToyModel(),
        work_dir=str(work_dir),
        # a unique name: Runners built in the same second share loggers
        experiment_name=f'safe_ckpt_{uuid.uuid4().hex[:12]}',
        train_dataloader=_dataloader(),
        train_cfg=dict(by_epoch=True, max_epochs=max_epochs, val_interval=1),
        val_dataloader=_dataloader(),
        val_cfg=dict(),
        val_evaluator=Evaluator(ToyMetric()),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9)),
        param_scheduler=dict(type='MultiStepLR', milestones=[1]),
        default_hooks=dict(
            checkpoint=dict(type='CheckpointHook', interval=1, save_best='toy/mse', rule='less'),
            logger=dict(type='LoggerHook', interval=1),
        ),
        default_scope='mmengine',
        **kwargs,
    )


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    work_dir = tmp_path_factory.mktemp('train')
    runner = _runner(work_dir)
    runner.train()
    ckpt = work_dir / 'epoch_1.pth'
    assert ckpt.is_file()
    best = next(work_dir.glob('best_toy_mse_epoch_1.pth'))
    return dict(
        work_dir=work_dir,
        ckpt=str(ckpt),
        best=str(best),
        state={k: v.detach().clone() for k, v in runner.model.state_dict().items()},
    )


@pytest.fixture
def registered():
    register_safe_checkpoint_loaders()
    yield


@pytest.fixture
def own_allowlist(monkeypatch):
    """A fresh user allowlist, so tests don't leak entries."""
    monkeypatch.setattr(safe_load, '_USER_SAFE_GLOBALS', [])


# --------------------------------------------------------------------------
# Hostile and damaged files
# --------------------------------------------------------------------------
class _RunsShell:
    """Unpickling this calls os.system (the classic pickle gadget)."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.system, (f'touch {shlex.quote(self.marker)}',))


class _GetattrGadget:
    """Pickles as builtins.getattr(HistoryBuffer, '__init__')."""

    def __reduce__(self):
        return (getattr, (HistoryBuffer, '__init__'))


class TrustedMeta:
    """A user's own plain data type, unknown to the allowlist."""

    def __init__(self, note=''):
        self.note = note


def _write_evil(path, marker):
    torch.save(dict(state_dict=dict(w=torch.ones(1)), meta=_RunsShell(marker)), str(path))
    assert not osp.exists(marker)
    return str(path)


def _numpy1_copy(src, dst):
    """Rewrite the pickle of ``src`` the way numpy 1.x spelled the paths."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, 'w') as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.endswith('/data.pkl'):
                assert b'numpy._core.multiarray\n_reconstruct' in data
                data = data.replace(b'numpy._core.multiarray', b'numpy.core.multiarray')
            zout.writestr(info, data)
    return str(dst)


# --------------------------------------------------------------------------
# Loading a real checkpoint
# --------------------------------------------------------------------------
def test_plain_torch_load_refuses_mmengine_checkpoint(trained):
    # the torch >= 2.6 default (weights_only=True) without our allowlist
    with pytest.raises(pickle.UnpicklingError, match='Unsupported global'):
        torch.load(trained['ckpt'])
    # ... and so does mmengine's own local loader
    with pytest.raises(pickle.UnpicklingError):
        mm_ckpt.load_from_local(trained['ckpt'], None)


def test_checkpoint_needs_exactly_the_allowlisted_globals(trained):
    unsafe = set(torch.serialization.get_unsafe_globals_in_checkpoint(trained['ckpt']))
    assert 'mmengine.logging.history_buffer.HistoryBuffer' in unsafe
    assert 'builtins.getattr' in unsafe
    assert 'numpy._core.multiarray._reconstruct' in unsafe
    names = {
        g[1] if isinstance(g, tuple) else f'{g.__module__}.{g.__qualname__}'
        for g in MMENGINE_SAFE_GLOBALS
    }
    assert unsafe <= names


def test_safe_torch_load_reads_history_buffers_and_numpy(trained):
    before = set(torch.serialization.get_safe_globals())
    ckpt = safe_torch_load(trained['ckpt'], map_location='cpu')
    assert torch.equal(ckpt['state_dict']['w'], trained['state']['w'])
    assert ckpt['meta']['epoch'] == 1
    assert ckpt['meta']['iter'] == ITERS_PER_EPOCH
    hub = ckpt['message_hub']
    loss = hub['log_scalars']['train/loss']
    assert isinstance(loss, HistoryBuffer)
    assert len(loss.data[0]) == ITERS_PER_EPOCH
    assert np.isfinite(loss.mean()) and np.isfinite(loss.statistics('max'))
    assert isinstance(hub['runtime_info']['eta'], (float, np.floating))
    # the allowlist is scoped: nothing leaks into torch's global list
    assert set(torch.serialization.get_safe_globals()) == before
    with pytest.raises(pickle.UnpicklingError):
        torch.load(trained['ckpt'])


def test_best_checkpoint_with_numpy_best_score_loads(trained):
    ckpt = safe_torch_load(trained['best'])
    best = ckpt['message_hub']['runtime_info']['best_score']
    assert isinstance(best, np.floating)


def test_scoped_allowlist_keeps_users_global_entries(trained):
    entry = HistoryBuffer
    torch.serialization.add_safe_globals([entry])
    try:
        safe_torch_load(trained['ckpt'])
        # torch's safe_globals context would have removed it on exit
        assert entry in torch.serialization.get_safe_globals()
    finally:
        torch.serialization._weights_only_unpickler._remove_safe_globals([entry])


def test_register_is_idempotent_and_rebinds_http(registered):
    register_safe_checkpoint_loaders()
    register_safe_checkpoint_loaders()
    assert CheckpointLoader._get_checkpoint_loader('/x/epoch_1.pth') is load_from_local
    assert CheckpointLoader._get_checkpoint_loader('http://h/a.pth') is load_from_http
    assert CheckpointLoader._get_checkpoint_loader('https://h/a.pth') is load_from_http
    # torchvision://, open-mmlab://, mmcls:// call this module global
    assert mm_ckpt.load_from_http is load_from_http
    assert list(CheckpointLoader._schemes).count('') == 1


def test_mmengine_load_checkpoint(trained, registered):
    from mmengine.runner import load_checkpoint

    model = ToyModel()
    ckpt = load_checkpoint(model, trained['ckpt'], map_location='cpu')
    assert ckpt['meta']['epoch'] == 1
    assert torch.equal(model.w.detach(), trained['state']['w'])
    assert torch.equal(model.b.detach(), trained['state']['b'])


def test_runner_resumes_from_checkpoint(trained, registered, tmp_path):
    recorder = RecordStart()
    runner = _runner(
        tmp_path, max_epochs=2, load_from=trained['ckpt'], resume=True, custom_hooks=[recorder]
    )
    runner.train()
    start = recorder.start
    assert start['epoch'] == 1
    assert start['iter'] == ITERS_PER_EPOCH
    assert torch.equal(start['w'], trained['state']['w'])
    # the HistoryBuffers came back and work
    assert start['loss_count'] == ITERS_PER_EPOCH
    assert np.isfinite(start['loss_mean'])
    assert runner.epoch == 2
    assert runner.iter == 2 * ITERS_PER_EPOCH
    assert (tmp_path / 'epoch_2.pth').is_file()
    assert not (tmp_path / 'epoch_1.pth').exists()  # no epoch was redone


def test_numpy1_checkpoint_loads(trained, tmp_path):
    path = _numpy1_copy(trained['ckpt'], tmp_path / 'np1.pth')
    unsafe = torch.serialization.get_unsafe_globals_in_checkpoint(path)
    assert 'numpy.core.multiarray._reconstruct' in unsafe
    assert not any(name.startswith('numpy._core') for name in unsafe)
    ckpt = safe_torch_load(path)
    original = safe_torch_load(trained['ckpt'])
    loss = ckpt['message_hub']['log_scalars']['train/loss']
    ref = original['message_hub']['log_scalars']['train/loss']
    np.testing.assert_array_equal(loss.data[0], ref.data[0])
    assert (
        ckpt['message_hub']['runtime_info']['eta'] == original['message_hub']['runtime_info']['eta']
    )


# --------------------------------------------------------------------------
# Refusals
# --------------------------------------------------------------------------
def test_malicious_checkpoint_is_refused(tmp_path, registered):
    marker = tmp_path / 'PWNED'
    evil = _write_evil(tmp_path / 'evil.pth', marker)

    with pytest.raises(CheckpointError) as info:
        safe_torch_load(evil)
    err = info.value
    assert isinstance(err, RuntimeError)
    assert err.reason == 'forbidden_global'
    assert err.global_name == 'posix.system' or 'system' in err.global_name
    msg = str(err)
    assert evil in msg and 'system' in msg
    assert 'run' in msg and 'code' in msg
    assert 'weights_only=False' in msg  # says it never falls back
    assert not marker.exists()

    # through mmengine: load_from / resume / load_checkpoint use this scheme
    with pytest.raises(CheckpointError):
        CheckpointLoader.load_checkpoint(evil)
    from mmengine.runner import load_checkpoint

    with pytest.raises(CheckpointError):
        load_checkpoint(ToyModel(), evil)
    assert not marker.exists()

    # the file really is hostile: an unrestricted load runs the payload
    torch.load(evil, weights_only=False)
    assert marker.exists()


def test_getattr_gadget_is_refused(tmp_path):
    path = str(tmp_path / 'gadget.pth')
    torch.save(dict(meta=_GetattrGadget()), path)
    with pytest.raises(CheckpointError) as info:
        safe_torch_load(path)
    assert info.value.reason == 'forbidden_global'
    assert info.value.global_name == 'builtins.getattr'
    assert '__init__' in str(info.value)


def test_custom_type_needs_allowlisting(tmp_path, own_allowlist):
    path = str(tmp_path / 'custom.pth')
    torch.save(dict(meta=TrustedMeta('hello')), path)
    with pytest.raises(CheckpointError) as info:
        safe_torch_load(path)
    err = info.value
    assert err.reason == 'forbidden_global'
    assert err.global_name.endswith('TrustedMeta')
    assert 'extra_safe_globals' in str(err)
    assert 'add_safe_globals' in str(err)
    assert 'checkpoint_safe_globals' in str(err)

    # per call
    ckpt = safe_torch_load(path, extra_safe_globals=[TrustedMeta])
    assert ckpt['meta'].note == 'hello'
    with pytest.raises(CheckpointError):
        safe_torch_load(path)  # not remembered
    # module-wide, by dotted name (the config key form)
    add_safe_globals([f'{TrustedMeta.__module__}.TrustedMeta'])
    assert safe_torch_load(path)['meta'].note == 'hello'
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path)  # still scoped to our loaders


def test_register_with_config_key_entries(tmp_path, own_allowlist):
    path = str(tmp_path / 'custom.pth')
    torch.save(dict(state_dict={}, meta=TrustedMeta('cfg')), path)
    register_safe_checkpoint_loaders([f'{TrustedMeta.__module__}.TrustedMeta'])
    assert CheckpointLoader.load_checkpoint(path)['meta'].note == 'cfg'


def test_truncated_checkpoint(trained, tmp_path, registered):
    data = Path(trained['ckpt']).read_bytes()
    path = tmp_path / 'epoch_2.pth'
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError) as info:
        safe_torch_load(str(path))
    err = info.value
    msg = str(err)
    assert err.reason == 'corrupted'
    assert 'truncated' in msg or 'corrupt' in msg
    assert str(path) in msg
    assert f'{len(data) // 2} bytes' in msg
    assert 'previous' in msg  # points at the earlier checkpoint

    with pytest.raises(CheckpointError, match='truncated'):
        CheckpointLoader.load_checkpoint(str(path))


@pytest.mark.parametrize('content', [b'', b'<html>502 Bad Gateway</html>', bytes(range(256)) * 4])
def test_garbage_files_are_reported_as_corrupted(tmp_path, content):
    path = tmp_path / 'bad.pth'
    path.write_bytes(content)
    with pytest.raises(CheckpointError) as info:
        safe_torch_load(str(path))
    assert info.value.reason == 'corrupted'
    assert str(path) in str(info.value)


def test_missing_file_is_not_a_checkpoint_error(tmp_path, registered):
    with pytest.raises(FileNotFoundError):
        safe_torch_load(str(tmp_path / 'nope.pth'))
    with pytest.raises(FileNotFoundError):
        CheckpointLoader.load_checkpoint(str(tmp_path / 'nope.pth'))


# --------------------------------------------------------------------------
# Remote checkpoints
# --------------------------------------------------------------------------
class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def _serve(directory):
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f'http://127.0.0.1:{server.server_address[1]}'
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def http_env(tmp_path, monkeypatch, registered):
    torch_home = tmp_path / 'torch_home'
    monkeypatch.setenv('TORCH_HOME', str(torch_home))
    for var in ('no_proxy', 'NO_PROXY'):
        monkeypatch.setenv(var, '127.0.0.1,localhost')
    served = tmp_path / 'served'
    served.mkdir()
    return dict(torch_home=torch_home, served=served)


def test_http_malicious_checkpoint_is_refused(tmp_path, http_env):
    marker = tmp_path / 'PWNED-by-http'
    _write_evil(http_env['served'] / 'evil.pth', marker)
    with _serve(http_env['served']) as base:
        url = f'{base}/evil.pth'
        with pytest.raises(CheckpointError) as info:
            CheckpointLoader.load_checkpoint(url)
        # a scheme that routes through mmengine's module global
        with pytest.raises(CheckpointError):
            mm_ckpt.load_from_http(url)
    assert info.value.reason == 'forbidden_global'
    assert url in str(info.value)
    assert not marker.exists()
    # it went through the hub cache under TORCH_HOME
    assert (http_env['torch_home'] / 'hub' / 'checkpoints' / 'evil.pth').is_file()


def test_http_good_checkpoint_loads(trained, http_env):
    data = Path(trained['ckpt']).read_bytes()
    (http_env['served'] / 'good.pth').write_bytes(data)
    with _serve(http_env['served']) as base:
        ckpt = CheckpointLoader.load_checkpoint(f'{base}/good.pth')
        assert torch.equal(ckpt['state_dict']['w'], trained['state']['w'])
        assert isinstance(ckpt['message_hub']['log_scalars']['train/loss'], HistoryBuffer)
        from mmengine.runner import load_checkpoint

        model = ToyModel()
        load_checkpoint(model, f'{base}/good.pth')
        assert torch.equal(model.b.detach(), trained['state']['b'])


def test_http_truncated_checkpoint_names_cached_file(trained, http_env):
    data = Path(trained['ckpt']).read_bytes()
    (http_env['served'] / 'half.pth').write_bytes(data[: len(data) // 2])
    with _serve(http_env['served']) as base:
        url = f'{base}/half.pth'
        with pytest.raises(CheckpointError) as info:
            CheckpointLoader.load_checkpoint(url)
    msg = str(info.value)
    cached = http_env['torch_home'] / 'hub' / 'checkpoints' / 'half.pth'
    assert info.value.reason == 'corrupted'
    assert url in msg and str(cached) in msg and 'delete' in msg
