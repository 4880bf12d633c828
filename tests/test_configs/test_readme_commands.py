"""Every configs/<folder>/README.md: its ```bash blocks run as written.

The blocks and their markers are read as for the docs pages
(``tests/test_docs/doc_blocks.py``): a block right after
``<!-- needs: REASON -->`` (real data, GPUs, a long CPU run) is skipped with
that reason; every other block runs with ``bash -e`` in a fresh folder
holding links to the repository's ``configs/`` and ``tools/`` (so ``data/``
and ``work_dirs/`` are the test's own), with ``python`` the test's
interpreter. Every config a block names must exist, skipped blocks included.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_docs.doc_blocks import NEEDS, read_blocks, stray_markers

ROOT = Path(__file__).resolve().parents[2]
READMES = sorted((ROOT / 'configs').glob('*/README.md'))


def bash_blocks(readme: Path):
    return [b for b in read_blocks(readme) if b.lang == 'bash']


def test_every_recipe_folder_has_a_readme_with_a_runnable_block():
    folders = sorted(
        p.name for p in (ROOT / 'configs').iterdir() if p.is_dir() and p.name != '_base_'
    )
    assert [p.parent.name for p in READMES] == folders
    for readme in READMES:
        assert any(b.needs is None for b in bash_blocks(readme)), readme
        assert not stray_markers(readme)


@pytest.mark.parametrize('readme', READMES, ids=lambda p: p.parent.name)
def test_readme_names_existing_configs(readme):
    for block in bash_blocks(readme):
        for config in re.findall(r'configs/[\w/]+\.py', block.code):
            assert (ROOT / config).is_file(), f'{block.where()}: {config}'


CASES = [(readme, i) for readme in READMES for i, _ in enumerate(bash_blocks(readme))]


@pytest.mark.slow
@pytest.mark.parametrize('readme,index', CASES, ids=[f'{r.parent.name}-{i}' for r, i in CASES])
def test_readme_block_runs_as_written(readme, index, tmp_path):
    block = bash_blocks(readme)[index]
    if block.needs:
        pytest.skip(f'{block.where()} needs {block.needs}: {NEEDS[block.needs]}')
    for name in ('configs', 'tools'):
        (tmp_path / name).symlink_to(ROOT / name)
    env = dict(
        os.environ,
        OMP_NUM_THREADS='1',
        PYTHONHASHSEED='0',
        VLT_PROGRESS='plain',
        PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ['PATH']]),
    )
    proc = subprocess.run(
        ['bash', '-e', '-o', 'pipefail', '-c', block.code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, (
        f'{block.where()} failed:\n{block.code}\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}'
    )
