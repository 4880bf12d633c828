"""Run every unmarked ``bash`` block of README.md and docs/ exactly as written.

Each page runs in its own fresh copy of the repository (the tracked and
untracked-but-not-ignored files, committed into a throw-away git repo),
its blocks in order in one shell each, from the copy's root, with the test
venv's ``python`` first on ``PATH``. Afterwards ``git status`` must be
clean there: every output lands in a git-ignored folder (``work_dirs/``,
``data/``). Blocks marked ``<!-- needs: REASON -->`` are not run
(``doc_blocks.NEEDS``; docs/contributing.md).

In one pytest process the selected pages run concurrently, one per CPU
core (each command is single-threaded, ``OMP_NUM_THREADS=1``); under
pytest-xdist each page runs in its own test, and the pages spread over the
workers like any other test (no module fixture ties them to one worker).
"""

import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import ROOT

from .doc_blocks import doc_files, read_blocks

pytestmark = pytest.mark.slow


def runnable(page):
    return [b for b in read_blocks(page) if b.lang == 'bash' and b.needs is None]


PAGES = [p for p in doc_files(ROOT) if runnable(p)]


def _page_id(page):
    return str(page.relative_to(ROOT))


def _git(args, cwd):
    return subprocess.run(
        ['git', *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


def repo_copy(dest: Path) -> Path:
    """The repository's files (what a fresh clone with local edits holds),
    committed in a new git repo at ``dest``; ``.venv`` links to the test's."""
    files = _git(['ls-files', '--cached', '--others', '--exclude-standard', '-z'], ROOT).split('\0')
    for rel in filter(None, files):
        src = ROOT / rel
        if src.is_file() and not src.is_symlink():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)  # keeps mtimes: make sees an installed venv
    venv = Path(sys.executable).parent.parent
    (dest / '.venv').symlink_to(venv)
    _git(['init', '-q'], dest)
    _git(['add', '-A'], dest)
    _git(['-c', 'user.name=docs', '-c', 'user.email=docs@test', 'commit', '-qm', 'docs'], dest)
    return dest


def run_page(page: Path, tmp: Path) -> str:
    """Run the page's blocks in a fresh copy; '' if all pass and the copy
    stays clean, else what went wrong."""
    copy = repo_copy(tmp / 'repo')
    env = dict(
        os.environ,
        OMP_NUM_THREADS='1',
        PYTHONHASHSEED='0',
        PYTHONPATH=str(copy),
        VLT_PROGRESS='plain',
        PATH=f'{Path(sys.executable).parent}{os.pathsep}{os.environ["PATH"]}',
    )
    for block in runnable(page):
        proc = subprocess.run(
            ['bash', '-e', '-o', 'pipefail', '-c', block.code],
            cwd=copy,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        if proc.returncode:
            return (
                f'{block.where()} failed ({proc.returncode}):\n{block.code}\n'
                f'--- stdout\n{proc.stdout[-3000:]}\n--- stderr\n{proc.stderr[-5000:]}'
            )
    status = _git(['status', '--porcelain', '--untracked-files=all'], copy)
    if status:
        return f'{page.name}: the commands left files in the repository:\n{status}'
    return ''


@pytest.fixture(scope='module')
def page_results(request, tmp_path_factory):
    """Start every selected page at once (one thread per core): in one
    pytest process only (requested by name, so pytest-xdist's grouping in
    tests/conftest.py does not tie the pages to one worker)."""
    selected = [
        item.callspec.params['page']
        for item in request.session.items
        if getattr(item, 'originalname', None) == 'test_page_commands_run_as_written'
        and hasattr(item, 'callspec')
    ]
    cores = os.cpu_count() or 1
    pool = ThreadPoolExecutor(max_workers=max(1, min(len(selected), cores)))
    futures = {
        page: pool.submit(run_page, page, tmp_path_factory.mktemp('docs')) for page in selected
    }
    yield futures
    pool.shutdown(wait=True, cancel_futures=True)


@pytest.mark.parametrize('page', PAGES, ids=_page_id)
def test_page_commands_run_as_written(page, request, tmp_path):
    if os.environ.get('PYTEST_XDIST_WORKER'):  # one page per test, any worker
        problem = run_page(page, tmp_path)
    else:
        problem = request.getfixturevalue('page_results')[page].result()
    assert not problem, problem
