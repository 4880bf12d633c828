"""tools/analysis/ablate.py: configs run as given in <folder>/<recipe>/seed<N>,
sample standard deviation and per-seed values in the table."""

import runpy
import statistics

import pytest

from tests.conftest import ROOT

ABLATE = runpy.run_path(str(ROOT / 'tools' / 'analysis' / 'ablate.py'))


@pytest.fixture
def runs(monkeypatch):
    calls = []

    def fake_run_one(config, seed, work_dir, extra):
        calls.append((config, seed, work_dir))
        return {'hoi/macro_f1': 50.0 + 10 * seed + (5 if 'grounding' in config else 0)}

    monkeypatch.setitem(ABLATE['main'].__globals__, 'run_one', fake_run_one)
    return calls


def test_same_recipe_name_in_two_folders_never_mixes(runs, tmp_path, capsys):
    hoi = str(ROOT / 'configs/hoi/ce_onehot_toy.py')
    grounding = str(ROOT / 'configs/grounding/ce_onehot_toy.py')
    header, rows = ABLATE['main'](
        [
            hoi,
            grounding,
            '--seeds',
            '3',
            '--work-dir',
            str(tmp_path / 'w'),
            '--out',
            str(tmp_path / 'r'),
        ]
    )
    # as given, each in its own folder
    assert [c for c, _, _ in runs] == [hoi] * 3 + [grounding] * 3
    assert runs[0][2] == str(tmp_path / 'w' / 'hoi' / 'ce_onehot_toy' / 'seed0')
    assert runs[3][2] == str(tmp_path / 'w' / 'grounding' / 'ce_onehot_toy' / 'seed0')
    assert [r[0] for r in rows] == ['hoi/ce_onehot_toy', 'grounding/ce_onehot_toy']
    # seeds 0, 1, 2 -> 50, 60, 70: sample std (ddof=1) = 10, not 8.16 (ddof=0)
    assert statistics.stdev([50, 60, 70]) == 10
    assert rows[0][2] == '60.00 ± 10.00 (50.00, 60.00, 70.00)'
    assert rows[1][2] == '65.00 ± 10.00 (55.00, 65.00, 75.00)'
    assert (tmp_path / 'r.md').read_text().count('±') == 2
    # the shared progress display counts the runs (plain: not a terminal)
    err = capsys.readouterr().err
    assert [ln.split(' (')[0] for ln in err.splitlines() if ln.startswith('ablation')] == [
        f'ablation: {name} seed {s}: {k}/6'
        for k, (name, s) in enumerate(
            [('hoi/ce_onehot_toy', s) for s in range(3)]
            + [('grounding/ce_onehot_toy', s) for s in range(3)],
            1,
        )
    ]


def test_real_configs_are_not_swapped_for_their_twins(runs, tmp_path, capsys):
    real = str(ROOT / 'configs/hoi/gem_onehot.py')
    ABLATE['main'](
        [real, '--seeds', '1', '--work-dir', str(tmp_path), '--out', str(tmp_path / 'r')]
    )
    assert runs[-1][0] == real
    _, rows = ABLATE['main'](
        [real, '--toy', '--seeds', '1', '--work-dir', str(tmp_path), '--out', str(tmp_path / 'r')]
    )
    assert runs[-1][0] == real.replace('.py', '_toy.py')
    assert '--toy: ' in capsys.readouterr().out
    assert rows[0][2] == '50.00 (1 seed)'
    with pytest.raises(FileNotFoundError, match='no toy twin'):
        ABLATE['toy_twin'](str(tmp_path / 'x.py'))
