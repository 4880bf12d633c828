"""Drop mmengine log records known to be harmless, by their exact opening.

The mechanism behind :mod:`.file_client_deprecation` and
:mod:`.hard_disk_backend_deprecation` (each names its message and why it is
harmless): a ``logging.Filter`` on every ``MMLogger`` (mmengine's
``print_log(logger='current')`` writes to the latest one) that drops a
record whose message starts with a registered text. Nothing else is hidden:
other messages, warnings of the same logger included, pass.
"""

import logging

from .after_import import call_after_import

__all__ = ['quiet_mmengine_message', 'QuietMessages']

_QUIET = set()


class QuietMessages(logging.Filter):
    """Drops records whose message starts with a registered opening."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not any(message.startswith(opening) for opening in _QUIET)


_FILTER = QuietMessages()


def _install() -> None:
    """Add the filter to every ``MMLogger``, present and future."""
    from mmengine.logging import MMLogger

    if not getattr(MMLogger.__init__, '_vltoolkit_quiet', False):
        init = MMLogger.__init__

        def init_with_filter(self, *args, **kwargs):
            init(self, *args, **kwargs)
            self.addFilter(_FILTER)

        init_with_filter._vltoolkit_quiet = True
        MMLogger.__init__ = init_with_filter
    for logger in MMLogger._instance_dict.values():
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


def quiet_mmengine_message(opening: str) -> None:
    """Drop mmengine log records that start with ``opening`` (idempotent)."""
    _QUIET.add(opening)
    call_after_import('mmengine.logging.logger', _install)
