"""A griffe extension for the API reference: reST habits of the docstrings
rendered as Markdown.

* ``Example:`` reads as ``Examples:``: vltoolkit's docstrings title their
  doctest sections ``Example:`` (the mmengine / mmpretrain habit); griffe's
  Google parser knows ``Examples:`` only and would render the ``>>>`` lines
  as running text (an output such as ``[0.0, 0.3]`` then reads as a broken
  Markdown link).
* The formulas (``.. math::`` blocks, ``:math:`x``` roles) are shown as
  written, in a code block and as inline code: the site loads no maths
  renderer (no network).

Loaded by mkdocstrings (``extensions:`` in ``mkdocs.yml``).
"""

import re
import textwrap

import griffe

_EXAMPLE = re.compile(r'^(\s*)Example:\s*$', re.MULTILINE)
_MATH_ROLE = re.compile(r':math:`([^`]*)`')
_MATH_DIRECTIVE = re.compile(r'^(\s*)\.\. math::\s*(.*)$')


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def math_blocks(text: str) -> str:
    """Each ``.. math::`` directive and its indented body as a fenced block."""
    lines, out, i = text.split('\n'), [], 0
    while i < len(lines):
        m = _MATH_DIRECTIVE.match(lines[i])
        if not m:
            out.append(lines[i])
            i += 1
            continue
        pad, body = m.group(1), [m.group(2)] if m.group(2) else []
        i += 1
        while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) > len(pad)):
            body.append(lines[i])
            i += 1
        while body and not body[-1].strip():
            body.pop()
        formula = textwrap.dedent('\n'.join(body)).strip('\n')
        out += [f'{pad}```text', *(pad + line for line in formula.split('\n')), f'{pad}```', '']
    return '\n'.join(out)


class ExampleSections(griffe.Extension):
    """Rewrite the docstring before griffe parses it (see the module docstring)."""

    def on_instance(self, *, obj, **kwargs) -> None:
        docstring = getattr(obj, 'docstring', None)
        if docstring is None:
            return
        text = _EXAMPLE.sub(r'\1Examples:', docstring.value)
        if 'math:' in text:
            text = math_blocks(_MATH_ROLE.sub(r'`\1`', text))
        docstring.value = text
