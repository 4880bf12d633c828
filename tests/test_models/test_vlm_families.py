"""The VLM family registry: every registered family builds its toy folder,
its real-size recipe on the meta device, with no per-family branch; each
family is named only in its own module, its box format and one
registration line."""

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NAMES = dict(
    florence2='florence',
    paligemma='paligemma',
    kosmos2='kosmos',
    qwen2_5_vl=r'qwen2[._]5',
    qwen3_vl='qwen3',
)


def test_every_family_is_registered():
    from vltoolkit.models.pretrained_vlms import FAMILIES, get_family

    assert sorted(FAMILIES) == sorted(NAMES)
    for name, family in FAMILIES.items():
        assert get_family(family.wrapper.__name__) is family
        assert get_family(family.wrapper.model_type) is family


@pytest.mark.parametrize('family', list(NAMES))
def test_a_family_is_named_in_at_most_three_package_files(family):
    files = subprocess.run(
        ['grep', '-rliE', NAMES[family], 'vltoolkit', '--include=*.py'],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert len(files) <= 3, files
    assert 'vltoolkit/models/pretrained_vlms/__init__.py' in files


# recipe -> (total without LoRA, trained) of the released sizes (hf_config)
REAL = {
    'grounding/qwen2.5-vl-3b_ce_onehot.py': (3_754_622_976, 29_933_568),
    'grounding/qwen3-vl-2b_ce_onehot.py': (2_127_532_032, 17_432_576),
}


@pytest.mark.parametrize('recipe', list(REAL))
def test_real_size_recipe_builds_on_meta_with_the_released_count(recipe, capsys):
    """count_params.py's way (meta device, no files): the released
    checkpoint's parameters plus the LoRA adapters, only the adapters of
    the language model trained."""
    import runpy

    main = runpy.run_path(str(ROOT / 'tools' / 'analysis' / 'count_params.py'))['main']
    rows = main([str(ROOT / 'configs' / recipe)])
    total, trained = rows[-1][1:]
    base, lora = REAL[recipe]
    assert (total - trained, trained) == (base, lora)
    out = capsys.readouterr().out
    assert re.search(rf'trained {lora:,} / total {base + lora:,}', out)
