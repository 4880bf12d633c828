"""mmengine's ``"HardDiskBackend" is the alias of "LocalBackend"`` warning.

The trap (mmengine 0.10.7): the unused ``FileClient`` that
``CheckpointHook.before_train`` builds (:mod:`.file_client_deprecation`)
picks the ``'disk'`` backend, ``HardDiskBackend``, whose ``__init__`` logs::

    "HardDiskBackend" is the alias of "LocalBackend" and the former will be
    deprecated in future.

The checkpoints are written through ``get_file_backend`` (a
``LocalBackend``), not through that client: harmless, so it is dropped
(:mod:`.quiet_log_messages`).

Delete when: with :mod:`.file_client_deprecation` (mmengine stops building
the unused client).
"""

from .quiet_log_messages import quiet_mmengine_message

__all__ = ['HARD_DISK_BACKEND_NOTICE', 'quiet_hard_disk_backend_notice']

HARD_DISK_BACKEND_NOTICE = '"HardDiskBackend" is the alias of "LocalBackend"'


def quiet_hard_disk_backend_notice() -> None:
    quiet_mmengine_message(HARD_DISK_BACKEND_NOTICE)
