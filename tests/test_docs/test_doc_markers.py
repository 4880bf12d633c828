"""Every shell block of the docs is bash that parses, and markers are valid."""

import subprocess

import pytest

from tests.conftest import ROOT

from .doc_blocks import NEEDS, SHELL_LANGS, doc_files, read_blocks, stray_markers

PAGES = doc_files(ROOT)
COMMAND_STARTS = (
    'python ',
    'python3 ',
    'make ',
    'tools/',
    'bash ',
    '.venv/',
    'OMP_NUM_THREADS=',
    'PYTHONPATH=',
    'torchrun ',
    'mkdocs ',
)


def test_blocks_are_found():
    blocks = [b for p in PAGES for b in read_blocks(p) if b.lang == 'bash']
    assert len(blocks) > 10 and all(b.code.strip() for b in blocks)


@pytest.mark.parametrize('page', PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_markers_and_syntax(page):
    problems = stray_markers(page)
    for block in read_blocks(page):
        first = next(
            (
                ln.strip()
                for ln in block.code.splitlines()
                if ln.strip() and not ln.strip().startswith('#')
            ),
            '',
        )
        if block.lang == '' and first.startswith(COMMAND_STARTS):
            problems.append(
                f'{block.where()}: a command in an unlabelled fence; '
                'fence it as ```bash so the docs test runs it'
            )
        if block.lang in SHELL_LANGS and block.lang != 'bash':
            problems.append(
                f'{block.where()}: fence shell commands as ```bash (the docs test runs those)'
            )
        if block.lang == 'bash':
            if block.needs is not None and block.needs not in NEEDS:
                problems.append(f'{block.where()}: unknown needs {block.needs!r}')
            proc = subprocess.run(['bash', '-n'], input=block.code, text=True, capture_output=True)
            if proc.returncode:
                problems.append(f'{block.where()}: not valid bash: {proc.stderr.strip()}')
    assert not problems, '\n'.join(problems)


def test_marker_parsing(tmp_path):
    page = tmp_path / 'p.md'
    page.write_text(
        'x\n<!-- needs: gpu -->\n\n```bash\nnvidia-smi\n```\n'
        '```bash\necho hi\n```\n<!-- needs: cloud -->\n```bash\nx\n```\n'
        '<!-- needs: gpu -->\ntext\n'
    )
    blocks = read_blocks(page)
    assert [(b.line, b.needs, b.code) for b in blocks] == [
        (4, 'gpu', 'nvidia-smi\n'),
        (7, None, 'echo hi\n'),
        (11, 'cloud', 'x\n'),
    ]
    problems = stray_markers(page)
    assert len(problems) == 2 and 'unknown reason' in problems[0] and 'right before' in problems[1]


# the docs site (strict build, nav, API reference): test_site.py
