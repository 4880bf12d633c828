"""mmengine's ``"FileClient" will be deprecated`` warning at every train start.

The trap (mmengine 0.10.7, ``CheckpointHook.before_train``): the hook builds
``FileClient.infer_client(self.file_client_args, self.out_dir)`` even when
``file_client_args`` is None, "to avoid breaking backward compatibility"
(its own comment), and uses it only when ``file_client_args`` is set; it
saves through ``get_file_backend`` otherwise. ``FileClient.__new__`` logs::

    "FileClient" will be deprecated in future. Please use io functions in
    https://mmengine.readthedocs.io/en/latest/api/fileio.html#file-io

No vltoolkit config sets ``file_client_args`` and the user cannot act on
the message: harmless, so it is dropped (:mod:`.quiet_log_messages`).

Delete when: mmengine's ``CheckpointHook`` stops building the unused client
(its comment says at mmengine 1.0).
"""

from .quiet_log_messages import quiet_mmengine_message

__all__ = ['FILE_CLIENT_NOTICE', 'quiet_file_client_notice']

FILE_CLIENT_NOTICE = '"FileClient" will be deprecated in future.'


def quiet_file_client_notice() -> None:
    quiet_mmengine_message(FILE_CLIENT_NOTICE)
