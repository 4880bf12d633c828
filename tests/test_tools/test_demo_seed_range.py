"""tools/demo.py quotes the range its recipe gave over training seeds."""

import json
import runpy

from tests.conftest import ROOT

seed_range = runpy.run_path(str(ROOT / 'tools' / 'demo.py'))['seed_range']
CFG = 'configs/hoi/gem_distlabel_toy.py'


def test_range_mean_and_sample_std_from_the_ablate_record(tmp_path):
    record = tmp_path / 'toy_seeds.json'  # ablate.py's OUT.json layout
    record.write_text(
        json.dumps(
            {
                'hoi/gem_distlabel_toy': [{'hoi/macro_f1': v} for v in (61.0, 65.0, 63.5, 62.5)],
                'hoi/ce_onehot_toy': [{'hoi/macro_f1': 10.0}],
            }
        )
    )
    # sample std (ddof=1) of 61, 65, 63.5, 62.5: sqrt(8.5 / 3) = 1.683
    assert (
        seed_range(CFG, 'hoi/macro_f1', str(record))
        == '61.00 - 65.00 over 4 seeds (mean 63.00 ± 1.68)'
    )
    assert (
        seed_range('configs/hoi/ce_onehot_toy.py', 'hoi/macro_f1', str(record))
        == '10.00 - 10.00 over 1 seed'
    )


def test_missing_record_or_recipe_says_so(tmp_path):
    assert seed_range(CFG, 'hoi/macro_f1', str(tmp_path / 'none.json')).startswith(
        'no seeds recorded for hoi/gem_distlabel_toy'
    )
    record = tmp_path / 'toy_seeds.json'
    record.write_text(json.dumps({'grounding/gem_distlabel_toy': []}))
    assert 'no seeds recorded' in seed_range(CFG, 'hoi/macro_f1', str(record))


def test_get_started_quotes_the_recorded_range():
    """docs/get_started.md quotes the flagship's range from the seed record
    that `make demo` prints next to its number, not one run."""
    import re

    record = ROOT / 'docs' / 'results' / 'toy_seeds.json'
    text = ' '.join((ROOT / 'docs' / 'get_started.md').read_text().split())
    for key, label in (('hoi/macro_f1', 'Macro F1'), ('grounding/acc_at_0_5', 'Acc@0.5')):
        quoted = seed_range(CFG, key, str(record))  # 'a - b over 5 seeds (mean m ± s)'
        low_high, mean_std = re.match(r'(\S+ - \S+) over \d+ seeds \(mean (.+)\)', quoted).groups()
        assert f'{label} {low_high} ({mean_std})' in text, (label, quoted)
