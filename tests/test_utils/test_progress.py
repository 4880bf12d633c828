"""The shared progress display: modes, plain lines, rich bars, nesting."""

import itertools
import logging
import re

import pytest

from vltoolkit.utils.progress import ProgressBar, _RichSession, progress_mode, track

ANSI = re.compile(r'\x1b\[[0-9;?]*[A-Za-z]')


def test_mode_from_env_and_argument(monkeypatch):
    monkeypatch.setenv('VLT_PROGRESS', 'off')
    assert progress_mode() == 'off'
    assert progress_mode('plain') == 'plain'
    monkeypatch.setenv('VLT_PROGRESS', 'auto')
    assert progress_mode() == 'plain'  # pytest captures: not a terminal
    monkeypatch.setenv('VLT_PROGRESS', 'fancy')
    with pytest.raises(ValueError, match=r'\$VLT_PROGRESS=.fancy.*auto, rich, plain, off'):
        progress_mode()


def test_plain_prints_every_tenth_and_the_end(capsys):
    items = list(track(range(20), description='convert', mode='plain', min_interval=0))
    assert items == list(range(20))
    lines = capsys.readouterr().err.strip().splitlines()
    counts = [int(re.match(r'convert: (\d+)/20 ', ln).group(1)) for ln in lines]
    assert counts == [2, 4, 6, 8, 10, 12, 14, 16, 18, 20]
    assert lines[-1].endswith('done') and '(100%)' in lines[-1]
    assert re.search(r'[0-9.]+ it/s, elapsed \d+:\d\d:\d\d, ETA', lines[3])


def test_plain_uses_the_logger(caplog):
    logger = logging.getLogger('vlt-progress-test')
    with caplog.at_level(logging.INFO, logger='vlt-progress-test'):
        with ProgressBar(3, 'test', mode='plain', logger=logger, min_interval=0) as bar:
            for _ in range(3):
                bar.update()
    assert [r.getMessage().split(',')[0] for r in caplog.records] == [
        'test: 1/3 (33%)',
        'test: 2/3 (67%)',
        'test: 3/3 (100%)',
    ]


def test_resumed_bar_counts_rate_from_its_start(capsys, monkeypatch):
    clock = itertools.chain([100.0], itertools.repeat(104.0))
    monkeypatch.setattr('vltoolkit.utils.progress._clock', lambda: next(clock))
    bar = ProgressBar(10, 'train', mode='plain', completed=6, min_interval=0).start()
    bar.update(2)  # 2 steps in 4 s, 2 left
    assert bar.completed == 8 and bar.rate == 0.5 and bar.eta == 4.0
    bar.close()
    assert (
        capsys.readouterr().err.strip().splitlines()[-1]
        == 'train: 8/10 (80%), 0.50 it/s, elapsed 0:00:04, ETA 0:00:04'
    )


def test_plain_lines_are_throttled_but_the_end_always_prints(capsys, monkeypatch):
    clock = itertools.count(0.0, 1.0)  # one second per call
    monkeypatch.setattr('vltoolkit.utils.progress._clock', lambda: next(clock))
    list(track(range(20), description='convert', mode='plain', min_interval=6))
    lines = capsys.readouterr().err.strip().splitlines()
    counts = [int(re.match(r'convert: (\d+)/20 ', ln).group(1)) for ln in lines]
    assert len(counts) < 10 and counts[-1] == 20 and counts == sorted(counts)


def test_off_prints_nothing(capsys):
    assert sum(track([1, 2, 3], description='x', mode='off')) == 6
    assert capsys.readouterr() == ('', '')


def test_rich_forced_renders_total_and_nested_bar_leaves(capsys):
    with ProgressBar(4, 'train', mode='rich') as outer:
        for _ in range(2):
            outer.update()
        for _ in track(range(3), description='val', mode='rich'):
            shown = _RichSession.progress.tasks
            assert [(t.description, t.total) for t in shown] == [('train', 4), ('val', 3)]
        assert [t.description for t in _RichSession.progress.tasks] == ['train']
        outer.update(2)
    assert _RichSession.progress is None
    err = ANSI.sub('', capsys.readouterr().err)
    final = err[err.rfind('train') :]
    assert re.search(r'train\s.*4/4\s+100%', final), final
    assert 'val' not in final
