"""mmengine's run-start notices known to be harmless are gone (a compat/
entry each); other messages of the same logger still pass."""

import logging

from mmengine.fileio import FileClient, HardDiskBackend
from mmengine.logging import MMLogger, print_log
from mmengine.registry import LOG_PROCESSORS, DefaultScope

from vltoolkit.compat.file_client_deprecation import FILE_CLIENT_NOTICE
from vltoolkit.compat.hard_disk_backend_deprecation import HARD_DISK_BACKEND_NOTICE

NOISE = (
    'Failed to search registry with scope "vltoolkit" in the "log_processor"',
    FILE_CLIENT_NOTICE,
    HARD_DISK_BACKEND_NOTICE,
)


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__()
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def _fresh_logger(name):
    logger = MMLogger.get_instance(name, log_level='INFO')  # the 'current' logger now
    handler = _Collect()
    logger.addHandler(handler)
    return handler


def test_what_a_run_start_logs_without_the_harmless_notices(tmp_path):
    handler = _fresh_logger('vltoolkit_noise_test')
    with DefaultScope.overwrite_default_scope('vltoolkit'):
        processor = LOG_PROCESSORS.build(dict(type='LogProcessor'))  # Runner.build_log_processor
    assert type(processor).__name__ == 'LogProcessor'  # still mmengine's
    # what CheckpointHook.before_train builds and never uses
    client = FileClient.infer_client(None, str(tmp_path))
    assert type(client.client).__name__ == 'HardDiskBackend'
    HardDiskBackend()  # its notice, even where the client above was cached
    print_log('a warning the user can act on', logger='current', level=logging.WARNING)
    logged = '\n'.join(handler.messages)
    for notice in NOISE:
        assert notice not in logged
    assert 'a warning the user can act on' in logged  # nothing else is hidden


def test_deepspeed_cpu_fallback_warning_is_not_printed(tmp_path):
    """With deepspeed installed and no CUDA device, importing the engine prints
    no ``Setting accelerator to CPU`` warning; a user's DS_ACCELERATOR is kept."""
    import os
    import subprocess
    import sys

    import pytest

    pytest.importorskip('deepspeed', reason='deepspeed is an optional extra')
    env = {k: v for k, v in os.environ.items() if k != 'DS_ACCELERATOR'}
    env['CUDA_VISIBLE_DEVICES'] = ''
    code = 'import os, vltoolkit.engine; print(os.environ["DS_ACCELERATOR"])'
    out = subprocess.run(
        [sys.executable, '-c', code], env=env, capture_output=True, text=True, check=True
    )
    assert 'Setting accelerator to CPU' not in out.stdout + out.stderr
    assert out.stdout.strip().splitlines()[-1] == 'cpu'
    env['DS_ACCELERATOR'] = 'cpu'
    from vltoolkit.compat.deepspeed_accelerator import default_deepspeed_accelerator

    default_deepspeed_accelerator()  # in-process: leaves a set value alone
    assert os.environ.get('DS_ACCELERATOR') in (None, 'cpu')
