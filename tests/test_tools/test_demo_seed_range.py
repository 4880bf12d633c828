"""tools/demo.py quotes the range its recipe gave over training seeds."""
import json
import runpy

from tests.conftest import ROOT

seed_range = runpy.run_path(str(ROOT / 'tools' / 'demo.py'))['seed_range']
CFG = 'configs/hoi/gem_distlabel_toy.py'


def test_range_mean_and_sample_std_from_the_ablate_record(tmp_path):
    record = tmp_path / 'toy_seeds.json'  # ablate.py's OUT.json layout
    record.write_text(json.dumps({
        'hoi/gem_distlabel_toy': [{'hoi/macro_f1': v} for v in (61.0, 65.0, 63.5, 62.5)],
        'hoi/ce_onehot_toy': [{'hoi/macro_f1': 10.0}]}))
    # sample std (ddof=1) of 61, 65, 63.5, 62.5: sqrt(8.5 / 3) = 1.683
    assert seed_range(CFG, 'hoi/macro_f1', str(record)) == \
        '61.00 - 65.00 over 4 seeds (mean 63.00 ± 1.68)'
    assert seed_range('configs/hoi/ce_onehot_toy.py', 'hoi/macro_f1', str(record)) == \
        '10.00 - 10.00 over 1 seed'


def test_missing_record_or_recipe_says_so(tmp_path):
    assert seed_range(CFG, 'hoi/macro_f1', str(tmp_path / 'none.json')).startswith(
        'no seeds recorded for hoi/gem_distlabel_toy')
    record = tmp_path / 'toy_seeds.json'
    record.write_text(json.dumps({'grounding/gem_distlabel_toy': []}))
    assert 'no seeds recorded' in seed_range(CFG, 'hoi/macro_f1', str(record))
