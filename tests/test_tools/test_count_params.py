"""count_params.py sizes every non-toy recipe with no file on disk."""

import pytest

from tests.conftest import ROOT

RECIPES = sorted(
    p
    for p in (ROOT / 'configs').glob('*/*.py')
    if p.parent.name != '_base_' and not p.stem.endswith('_toy')
)


@pytest.fixture(scope='module')
def count_params():
    import runpy

    return runpy.run_path(str(ROOT / 'tools' / 'analysis' / 'count_params.py'))['main']


@pytest.mark.slow
@pytest.mark.parametrize('path', RECIPES, ids=lambda p: f'{p.parent.name}/{p.name}')
def test_every_recipe_is_sized_with_no_files(path, count_params, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # relative checkpoint / tokenizer paths resolve to nothing
    rows = count_params([str(path), '--without-weights'])
    total, trained = rows[-1][1:]
    assert rows[-1][0] == 'total' and 0 < trained <= total
    # the children hold the parameters (a model may hold a few itself)
    assert 0.9 * total <= sum(r[1] for r in rows[:-1]) <= total
    out = capsys.readouterr().out
    assert (
        f'trained {trained:,} / total {total:,}' in out
        or f'trained {trained:,} / total {total:,}' in out.replace('\n', ' ')
    )


def test_seed_000_scale_recipe(count_params, tmp_path, monkeypatch, capsys):
    """The multi-task HOI study: ~699M parameters, ~162M trained. Ours: ViT-L/16-384 +
    BART-large with 1,600 location tokens, frozen ViT, encoder and lower
    decoder half."""
    monkeypatch.chdir(tmp_path)
    rows = dict(
        (name, (total, trained))
        for name, total, trained in count_params(
            [str(ROOT / 'configs' / 'hoi' / 'gem_distlabel_large.py')]
        )
    )
    total, trained = rows['total']
    assert abs(total - 699e6) / 699e6 < 0.025, total
    assert abs(trained - 162e6) / 162e6 < 0.05, trained
    assert rows['vision_encoder'][1] == 0  # frozen
    # hand count of what trains: the upper 6 BART-large decoder layers, the
    # tied embeddings (50,265 BPE + 1,600 location tokens), the learned
    # positions (1026 x 1024, encoder and decoder), the two embedding layer
    # norms (BART has no final layer norm) and the projection ViT-L -> BART
    d, ffn = 1024, 4096
    attn = 4 * (d * d + d)
    dec_layer = 2 * attn + 2 * d * ffn + ffn + d + 3 * 2 * d
    expected = 6 * dec_layer + (50265 + 1600) * d + 2 * 1026 * d + 2 * 2 * d + (d * d + d + 2 * d)
    assert trained == expected
    assert 'meta device, no files' in capsys.readouterr().out


def test_a_built_model_prints_its_table_once(count_params, tiny_tokenizer_cfg, tmp_path, capfd):
    """The model logs its own table when built; the tool's output has one."""
    from tests.conftest import tiny_model_cfg

    recipe = tmp_path / 'tiny.py'
    recipe.write_text(f'model = {tiny_model_cfg(tiny_tokenizer_cfg)!r}\n')
    rows = count_params([str(recipe)])
    out = capfd.readouterr()
    assert (out.out + out.err).count('Parameters') == 1
    assert rows[-1][0] == 'total' and 'VisionSeq2Seq (built)' in out.out
