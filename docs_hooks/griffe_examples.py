"""A griffe extension for the API reference: ``Example:`` reads as ``Examples:``.

vltoolkit's docstrings title their doctest sections ``Example:`` (the
mmengine / mmpretrain habit); griffe's Google parser knows ``Examples:`` only
and would render the ``>>>`` lines as running text (an output such as
``[0.0, 0.3]`` then reads as a broken Markdown link). Loaded by mkdocstrings
(``extensions:`` in ``mkdocs.yml``).
"""

import re

import griffe

_EXAMPLE = re.compile(r'^(\s*)Example:\s*$', re.MULTILINE)


class ExampleSections(griffe.Extension):
    """Rename ``Example:`` section titles to ``Examples:`` before parsing."""

    def on_instance(self, *, obj, **kwargs) -> None:
        docstring = getattr(obj, 'docstring', None)
        if docstring is not None and 'Example:' in docstring.value:
            docstring.value = _EXAMPLE.sub(r'\1Examples:', docstring.value)
