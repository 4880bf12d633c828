"""The fenced ``bash`` blocks of README.md and docs/**/*.md, and their markers.

A block is run by ``test_docs_commands.py`` exactly as written, unless the
line right before its opening fence (blank lines aside) is a marker::

    <!-- needs: real-data -->
    ```bash
    python tools/data/vcoco.py --vcoco-dir v-coco ...
    ```

The reasons a block may need what a test cannot give are :data:`NEEDS`
(docs/contributing.md explains the convention).
"""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

#: why a documented command is not run by the docs test
NEEDS = {
    'real-data': 'a real dataset (V-COCO, RefCOCO, VQA v2, HowTo100M ...) or real weights',
    'gpu': 'one or more GPUs',
    'multi-node': 'several machines',
    'network': 'downloads (make venv installs packages; git clone)',
    'long-run': 'minutes to hours on a CPU (a full toy reproduction, the whole test '
    'suite); its page also shows a toy-size command that the test runs',
}
SHELL_LANGS = ('bash', 'sh', 'shell', 'console')

_FENCE = re.compile(r'^(\s*)(```+|~~~+)\s*([\w+-]*)')
_MARKER = re.compile(r'^\s*<!--\s*needs:\s*([\w-]+)\s*-->\s*$')


@dataclass
class Block:
    path: Path
    line: int  # 1-based line of the opening fence
    lang: str
    code: str
    needs: Optional[str]

    def where(self) -> str:
        return f'{self.path}:{self.line}'


def doc_files(root: Path) -> List[Path]:
    """README.md and every Markdown page under docs/, in a stable order."""
    return [root / 'README.md'] + sorted((root / 'docs').rglob('*.md'))


def read_blocks(path: Path) -> List[Block]:
    """Every fenced block of ``path`` with its language and marker."""
    lines = path.read_text().splitlines()
    blocks, i = [], 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, lang, start = m.group(2), m.group(3).lower(), i
        j = i + 1
        while j < len(lines) and not lines[j].strip().startswith(fence):
            j += 1
        k = start - 1
        while k >= 0 and not lines[k].strip():
            k -= 1
        marker = _MARKER.match(lines[k]) if k >= 0 else None
        blocks.append(
            Block(
                path,
                start + 1,
                lang,
                '\n'.join(lines[start + 1 : j]) + '\n',
                marker.group(1) if marker else None,
            )
        )
        i = j + 1
    return blocks


def stray_markers(path: Path) -> List[str]:
    """Markers not right before a fenced block, or with an unknown reason."""
    lines = path.read_text().splitlines()
    problems = []
    for n, line in enumerate(lines):
        if not line.strip().startswith('<!--') or 'needs' not in line:
            continue
        m = _MARKER.match(line)
        if not m:
            problems.append(f'{path}:{n + 1}: write the marker as <!-- needs: REASON -->')
            continue
        if m.group(1) not in NEEDS:
            problems.append(
                f'{path}:{n + 1}: unknown reason {m.group(1)!r}; use one of {sorted(NEEDS)}'
            )
        k = n + 1
        while k < len(lines) and not lines[k].strip():
            k += 1
        if k >= len(lines) or not _FENCE.match(lines[k]):
            problems.append(
                f'{path}:{n + 1}: the marker must come right before a fenced ```bash block'
            )
    return problems
