"""tools/analysis/paired_seeds.py: paired t-test and interval over seeds."""

import json
import math
import runpy

import pytest

from tests.conftest import ROOT

mod = runpy.run_path(str(ROOT / 'tools' / 'analysis' / 'paired_seeds.py'))


def test_against_a_hand_computed_paired_t_test():
    # differences 1, 2, 3, 4, 5: mean 3, sd sqrt(2.5), t = 3 / (sqrt(2.5) / sqrt(5))
    # = 4.2426; two-sided p with 4 df = 0.01324 (t tables); 95% interval
    # 3 +- 2.7764 * sqrt(2.5) / sqrt(5) = [1.0368, 4.9632]
    base = [60.0, 61.0, 59.0, 62.0, 60.5]
    other = [b + d for b, d in zip(base, (1, 2, 3, 4, 5))]
    st = mod['paired'](base, other)
    assert st['n'] == 5 and st['mean'] == pytest.approx(3.0)
    assert st['sd'] == pytest.approx(math.sqrt(2.5))
    assert st['t'] == pytest.approx(3 / math.sqrt(0.5), rel=1e-9)
    assert st['p'] == pytest.approx(0.01324, abs=5e-5)
    assert (st['low'], st['high']) == (
        pytest.approx(1.0368, abs=1e-4),
        pytest.approx(4.9632, abs=1e-4),
    )


def test_degenerate_inputs_give_nan_not_errors():
    one = mod['paired']([50.0], [52.0])
    assert one['mean'] == 2.0 and math.isnan(one['t'])
    same = mod['paired']([50.0, 51.0], [52.0, 53.0])  # constant difference
    assert same['sd'] == 0 and math.isnan(same['p'])


def test_compare_pairs_recipes_of_the_baseline_folder(tmp_path, capsys):
    results = {
        'hoi/ce_onehot_toy': [
            {'hoi/macro_f1': v, 'grounding/acc_at_0_5': 10.0 + v / 10} for v in (60, 61, 62)
        ],
        'hoi/gem_distlabel_toy': [
            {'hoi/macro_f1': v, 'grounding/acc_at_0_5': 20.0} for v in (62, 64, 63)
        ],
        'grounding/ce_onehot_toy': [{'grounding/acc_at_0_5': 5.0}] * 3,
    }
    rows = mod['compare'](results, 'hoi/ce_onehot_toy')
    assert [(r[0], r[1]) for r in rows] == [
        ('hoi/gem_distlabel_toy', 'Macro F1'),
        ('hoi/gem_distlabel_toy', 'Acc@0.5'),
    ]
    assert rows[0][2]['mean'] == pytest.approx(2.0)
    path = tmp_path / 'r.json'
    path.write_text(json.dumps(results))
    printed = mod['main']([str(path), '--baseline', 'hoi/ce_onehot_toy'])
    assert [r[:2] for r in printed] == [r[:2] for r in rows]
    assert 'paired over seeds' in capsys.readouterr().out
    with pytest.raises(KeyError, match='baseline'):
        mod['compare'](results, 'hoi/nothing')
