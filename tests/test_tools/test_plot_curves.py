"""plot_curves.py: raw last values, single-point metrics, outputs under the run."""

import json
import re

import pytest

from .test_vqa_tools import _load_tool

pytest.importorskip('matplotlib')


def _run(work_dir, losses, val):
    vis = work_dir / '20260101_000000' / 'vis_data'
    vis.mkdir(parents=True)
    lines = [json.dumps(dict(loss=v, iter=i, step=i, epoch=1)) for i, v in enumerate(losses, 1)]
    lines.append(json.dumps({'hoi/macro_f1': val, 'step': 1}))  # one validation
    (vis / 'scalars.json').write_text('\n'.join(lines) + '\n')


def test_single_point_metric_is_a_marker_on_a_whole_step_axis(tmp_path):
    tool = _load_tool('analysis/plot_curves.py')
    _run(tmp_path / 'a', [2.0], val=0.4)  # one training record too
    runs = {'a': tool.read_scalars(str(tmp_path / 'a'))}
    fig = tool.draw(runs, ['loss', 'hoi/macro_f1'], smooth=0.9)
    for ax, step, value in zip(fig.axes, (1, 1), (2.0, 0.4)):
        drawn = [ln for ln in ax.get_lines() if ln.get_marker() == 'o']
        assert drawn and drawn[0].get_xydata().tolist() == [[step, value]]
        assert ax.get_xlim() == (step - 1, step + 1)
        assert all(t == int(t) for t in ax.get_xticks())
        low, high = ax.get_ylim()
        assert low < value < high


def test_relative_out_is_under_the_work_dir_and_raw_last_is_printed(tmp_path, monkeypatch, capsys):
    tool = _load_tool('analysis/plot_curves.py')
    _run(tmp_path / 'runs' / 'a', [4.0, 2.0, 1.0, 3.0], val=0.4)
    _run(tmp_path / 'runs' / 'b', [4.0, 3.0], val=0.5)
    monkeypatch.chdir(tmp_path)
    assert tool.main(['runs/a', 'runs/b', '--keys', 'loss', '--smooth', '0.5']) == 0
    assert (tmp_path / 'runs' / 'curves.png').is_file()
    assert not (tmp_path / 'curves.png').exists()
    table = capsys.readouterr().out
    assert 'runs/curves.png' in table.replace('\n', '')
    smoothed = tool.ema([4.0, 2.0, 1.0, 3.0], 0.5)[-1]
    row = re.search(r'a\s+│ loss\s+│\s+4\s+│\s+4.0000\s+│\s+([0-9.]+)\s+│\s+([0-9.]+)\s+│', table)
    assert row, table
    assert float(row.group(1)) == pytest.approx(smoothed, abs=1e-4)
    assert float(row.group(2)) == 3.0  # the raw last value, unsmoothed
