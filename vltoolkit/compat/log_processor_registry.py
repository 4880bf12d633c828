"""A ``vltoolkit`` child of mmengine's ``log_processor`` registry.

The trap (mmengine 0.10.7, ``Registry.switch_scope_and_registry``): the
Runner builds its ``LogProcessor`` through mmengine's root
``LOG_PROCESSORS`` under the config's ``default_scope``; when the scope has
no child registry there, mmengine logs at every run start::

    Failed to search registry with scope "vltoolkit" in the "log_processor"
    registry tree. As a workaround, the current "log_processor" registry in
    "mmengine" is used to build instance. ...

and builds mmengine's ``LogProcessor`` anyway, which is what every recipe
wants: harmless. This empty child makes the search succeed (a name not in
it still resolves in mmengine's root), as ``registry.py`` does for
``OPTIMIZERS`` and ``PARAM_SCHEDULERS``. It lives here, not in
``registry.py``, because it holds nothing of ours.

Delete when: mmengine falls back to its root registry without a warning.
"""

from mmengine.registry import LOG_PROCESSORS as MMENGINE_LOG_PROCESSORS
from mmengine.registry import Registry

__all__ = ['LOG_PROCESSORS']

# locations: a lookup through this child imports mmengine's own log processors first
LOG_PROCESSORS = Registry(
    'log_processor',
    parent=MMENGINE_LOG_PROCESSORS,
    scope='vltoolkit',
    locations=['mmengine.runner'],
)
