"""Every configs/<folder>/README.md: its ```bash blocks run as written.

A block whose first line is ``# needs: <what>`` (real data, GPUs, long CPU
runs) is skipped with that reason; every other block runs, line by line
with ``bash -e``, in a fresh folder holding links to the repository's
``configs/`` and ``tools/`` (so ``data/`` and ``work_dirs/`` are the
test's own), with ``python`` the test's interpreter. Every config a block
names must exist, skipped blocks included.
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
READMES = sorted((ROOT / 'configs').glob('*/README.md'))
FENCE = re.compile(r'^```bash\n(.*?)^```', re.S | re.M)
NEEDS = re.compile(r'^#\s*needs:\s*(.+)$')


def bash_blocks(readme: Path):
    return FENCE.findall(readme.read_text())


def test_every_recipe_folder_has_a_readme_with_a_runnable_block():
    folders = sorted(p.name for p in (ROOT / 'configs').iterdir()
                     if p.is_dir() and p.name != '_base_')
    assert [p.parent.name for p in READMES] == folders
    for readme in READMES:
        blocks = bash_blocks(readme)
        assert any(not NEEDS.match(b.splitlines()[0]) for b in blocks), readme


@pytest.mark.parametrize('readme', READMES, ids=lambda p: p.parent.name)
def test_readme_names_existing_configs(readme):
    for block in bash_blocks(readme):
        for config in re.findall(r'configs/[\w/]+\.py', block):
            assert (ROOT / config).is_file(), f'{readme}: {config}'


CASES = [(readme, i) for readme in READMES for i, _ in enumerate(bash_blocks(readme))]


@pytest.mark.slow
@pytest.mark.parametrize('readme,index', CASES,
                         ids=[f'{r.parent.name}-{i}' for r, i in CASES])
def test_readme_block_runs_as_written(readme, index, tmp_path):
    block = bash_blocks(readme)[index]
    needs = NEEDS.match(block.splitlines()[0])
    if needs:
        pytest.skip(f'{readme.parent.name}/README.md block {index} needs {needs.group(1)}')
    for name in ('configs', 'tools'):
        (tmp_path / name).symlink_to(ROOT / name)
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONHASHSEED='0',
               PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ['PATH']]))
    proc = subprocess.run(['bash', '-e', '-c', block], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, (f'{readme.parent.name}/README.md block {index} failed:\n'
                                  f'{block}\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}')
