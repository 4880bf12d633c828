"""Turn mmengine's bare ``KeyError`` for an unknown ``type`` into advice.

The trap (mmengine 0.10.7, ``mmengine/registry/build_functions.py``): the
Runner builds its parts through mmengine's *root* registries, which raise
``KeyError("X is not in the mmengine::model registry. Please check whether
the value of `X` is correct or it was registered as expected...")``: no
closest names, no word about ``custom_imports``. Our own registries
(:class:`vltoolkit.registry.VLRegistry`) already raise
:class:`vltoolkit.registry.UnknownTypeError`; this module recognises
mmengine's message (the only place in vltoolkit that matches its text) and
re-raises it as that error.

Delete when: mmengine's message names the closest registered names (not as
of 0.10.7), or the Runner builds through the child registries.
"""

import contextlib
import re
from typing import Optional

__all__ = ['explain_unknown_type', 'explain_registry_errors']

_MMENGINE_MISSING = re.compile(r"^'?(\S+) is not in the (\S+)::(.+?) registry")


def explain_unknown_type(err: KeyError) -> Optional[KeyError]:
    """An :class:`~vltoolkit.registry.UnknownTypeError` with suggestions for
    mmengine's unknown-type ``KeyError``; ``None`` for any other ``KeyError``."""
    from vltoolkit.registry import ALL_REGISTRIES

    match = _MMENGINE_MISSING.match(str(err.args[0]) if err.args else '')
    if not match:
        return None
    obj_type, _, name = match.groups()
    for registry in ALL_REGISTRIES:
        if registry.name == name:
            return registry.unknown_type_error(obj_type)
    return None


@contextlib.contextmanager
def explain_registry_errors():
    """Re-raise mmengine's unknown-type ``KeyError`` raised inside the block
    as an ``UnknownTypeError`` with the closest registered names."""
    try:
        yield
    except KeyError as err:
        better = explain_unknown_type(err)
        if better is not None:
            raise better from err
        raise
