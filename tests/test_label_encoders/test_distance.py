import copy
import importlib.util
import math

import pytest
import torch
from torch.overrides import TorchFunctionMode

from tests.conftest import ROOT
from vltoolkit.label_encoders import (
    DistanceLabelEncoder,
    distance_label_stats,
    distance_label_table,
)
from vltoolkit.registry import LABEL_ENCODERS
from vltoolkit.tokenization import (
    BinBoxCoder,
    PatchIndexBoxCoder,
    VLTokenizer,
    train_word_level_tokenizer,
)

TEXTS = ['a person holds a cup', 'the dog eats a donut', 'what is it ?']
CODERS = {
    'bin': dict(type='BinBoxCoder', num_bins=16, token_fmt='<bin_{}>'),
    'patch': dict(
        type='PatchIndexBoxCoder', num_patches_per_side=4, token_fmt='<patch_index_{:04d}>'
    ),
}


def _make_tokenizer(tmp_dir, coder_cfg):
    from vltoolkit.tokenization import build_box_coder

    coder = build_box_coder(coder_cfg)
    train_word_level_tokenizer(TEXTS, str(tmp_dir), special_tokens=coder.location_tokens)
    return VLTokenizer(str(tmp_dir), box_coder=coder_cfg)


@pytest.fixture(scope='module', params=sorted(CODERS))
def tokenizer(request, tmp_path_factory):
    return _make_tokenizer(tmp_path_factory.mktemp(request.param), CODERS[request.param])


@pytest.fixture(scope='module')
def bin_tokenizer(tmp_path_factory):
    return _make_tokenizer(tmp_path_factory.mktemp('bins'), CODERS['bin'])


def _targets(tok, n_loc=30, seed=0):
    """Location ids, text ids and ignored positions, shuffled."""
    g = torch.Generator().manual_seed(seed)
    loc = tok.location_token_ids[torch.randint(0, tok.num_locations, (n_loc,), generator=g)]
    text = torch.tensor([0, 2, 4, 5, 6, 7])
    ids = torch.cat([loc, text, torch.full((4,), -100)])
    return ids[torch.randperm(ids.numel(), generator=g)]


def _distances(tok, i):
    """d(i, j) for every location index j."""
    coder = tok.box_coder
    return torch.as_tensor(
        coder.distance(torch.tensor(i), torch.arange(coder.num_locations)), dtype=torch.float64
    )


def test_rows_sum_to_one_ignored_rows_zero_text_rows_one_hot(tokenizer):
    enc = DistanceLabelEncoder(tokenizer, power=1.5, scale=2.0)
    ids = _targets(tokenizer)
    v = len(tokenizer) + 3  # a model may pad its embeddings
    dist = enc(ids, v)
    assert dist.shape == (ids.numel(), v) and dist.dtype == torch.float32
    valid = ids != -100
    assert torch.allclose(dist.sum(-1), valid.float(), atol=1e-6)
    assert torch.equal(dist[~valid], torch.zeros_like(dist[~valid]))
    is_loc = valid & (tokenizer.location_index_of_id[ids.clamp(min=0)] >= 0)
    text = valid & ~is_loc
    assert torch.equal(dist[text], torch.nn.functional.one_hot(ids[text], v).float())
    # location rows put all their mass on location tokens
    loc_ids = tokenizer.location_token_ids
    assert torch.allclose(
        dist[is_loc][:, loc_ids].sum(-1), torch.ones(int(is_loc.sum())), atol=1e-6
    )


def test_maximal_at_truth_and_monotone_in_distance(tokenizer):
    enc = DistanceLabelEncoder(tokenizer, power=2.0, scale=0.5, window=None)
    loc_ids = tokenizer.location_token_ids
    dist = enc(loc_ids, len(tokenizer))[:, loc_ids].double()  # [L, L]
    for i in range(tokenizer.num_locations):
        d, row = _distances(tokenizer, i), dist[i]
        others = torch.arange(len(row)) != i
        assert row.argmax() == i and (row[i] > row[others]).all()
        order = torch.argsort(d, stable=True)
        d, row = d[order], row[order]
        assert (row[1:] <= row[:-1] + 1e-7).all()  # non-increasing
        closer = d[1:] > d[:-1]
        assert (row[1:][closer] < row[:-1][closer]).all()  # strictly


def test_window_zeroes_far_tokens(tokenizer):
    enc = DistanceLabelEncoder(tokenizer, window=1.5)
    loc_ids = tokenizer.location_token_ids
    dist = enc(loc_ids, len(tokenizer))[:, loc_ids]
    for i in range(tokenizer.num_locations):
        d = _distances(tokenizer, i)
        assert torch.equal(dist[i] > 0, d <= 1.5)
    assert torch.allclose(dist.sum(-1), torch.ones(len(loc_ids)))
    zero = DistanceLabelEncoder(tokenizer, window=0)
    assert torch.equal(zero(loc_ids, len(tokenizer))[:, loc_ids], torch.eye(len(loc_ids)))


def test_mix_one_gives_one_hot_and_mix_interpolates(tokenizer):
    ids = _targets(tokenizer)
    v = len(tokenizer)
    one_hot = LABEL_ENCODERS.build(dict(type='OneHotLabelEncoder'))(ids, v)
    assert torch.equal(DistanceLabelEncoder(tokenizer, mix=1.0)(ids, v), one_hot)
    soft = DistanceLabelEncoder(tokenizer)(ids, v)
    mixed = DistanceLabelEncoder(tokenizer, mix=0.25)(ids, v)
    assert torch.allclose(mixed, 0.75 * soft + 0.25 * one_hot, atol=1e-7)


def test_hand_computed_bins(bin_tokenizer):
    # 16 bins, truth 0, power 1, scale 2, window 2: weights 1, 2/3, 1/2
    enc = DistanceLabelEncoder(bin_tokenizer, power=1.0, scale=2.0, window=2)
    ids = bin_tokenizer.location_token_ids
    row = enc(ids[:1], len(bin_tokenizer))[0, ids]
    w = torch.tensor([1, 2 / 3, 1 / 2])
    assert torch.allclose(row[:3], w / w.sum())
    assert torch.equal(row[3:], torch.zeros(13))
    # with mix 0.5 and truth 5 (window 1, power 2, scale 1): 1, 1/4, 1/4
    enc = DistanceLabelEncoder(bin_tokenizer, power=2.0, window=1, mix=0.5)
    row = enc(ids[5:6], len(bin_tokenizer))[0, ids]
    assert torch.allclose(row[4:7], torch.tensor([1 / 12, 2 / 3 + 1 / 6, 1 / 12]))


def test_hand_computed_patches(tmp_path):
    # 3x3 grid, truth = centre (index 4), power 1, scale 1:
    # 4 neighbours at 1 -> 1/2, 4 corners at sqrt 2 -> 1/(1 + sqrt 2)
    tok = _make_tokenizer(tmp_path, dict(type='PatchIndexBoxCoder', num_patches_per_side=3))
    ids = tok.location_token_ids
    row = DistanceLabelEncoder(tok, power=1.0, window=None)(ids[4:5], len(tok))[0, ids].double()
    corner = 1 / (1 + math.sqrt(2))
    w = torch.tensor([corner, 0.5, corner, 0.5, 1, 0.5, corner, 0.5, corner], dtype=torch.float64)
    assert torch.allclose(row, w / w.sum(), atol=1e-7)


def test_table_function_matches_encoder(tokenizer):
    enc = DistanceLabelEncoder(tokenizer, power=0.5, scale=3, window=None, mix=0.1)
    table = distance_label_table(tokenizer.box_coder, 0.5, 3, None, 0.1)
    ids = tokenizer.location_token_ids
    assert torch.allclose(enc(ids, len(tokenizer))[:, ids], table.float())


class _CountCalls(TorchFunctionMode):
    def __init__(self):
        super().__init__()
        self.calls = 0

    def __torch_function__(self, func, types, args=(), kwargs=None):
        self.calls += 1
        return func(*args, **(kwargs or {}))


def test_big_batch_is_vectorised(bin_tokenizer, monkeypatch):
    enc = DistanceLabelEncoder(bin_tokenizer, power=1.0)
    v = len(bin_tokenizer)
    enc(_targets(bin_tokenizer, 4), v)  # warm the per-device cache
    # the coder's distance is never called per batch
    monkeypatch.setattr(bin_tokenizer.box_coder, 'distance', None)
    counts = []
    for n_loc in (4, 20000):
        ids = _targets(bin_tokenizer, n_loc)
        with _CountCalls() as mode:
            dist = enc(ids, v)
        counts.append(mode.calls)
    # the number of torch calls does not grow with the batch: no per-token loop
    assert counts[0] == counts[1]
    assert dist.shape == (20010, v)


def test_builds_from_a_config_dict(tmp_path):
    from vltoolkit.tokenization import clear_tokenizer_cache

    _make_tokenizer(tmp_path, CODERS['bin'])
    enc = LABEL_ENCODERS.build(
        dict(
            type='DistanceLabelEncoder',
            power=1.0,
            scale=1.0,
            tokenizer=dict(type='VLTokenizer', path=str(tmp_path), box_coder=CODERS['bin']),
        )
    )
    assert isinstance(enc, DistanceLabelEncoder)
    assert enc.table.shape == (16, 16)
    clear_tokenizer_cache()


def test_mismatched_coder_and_tokenizer_raises(bin_tokenizer):
    tok = copy.copy(bin_tokenizer)
    tok.box_coder = BinBoxCoder(num_bins=32, token_fmt='<bin_{}>')
    with pytest.raises(ValueError, match="lacks 16 location token.*'<bin_16>'"):
        DistanceLabelEncoder(tok)
    tok.box_coder = PatchIndexBoxCoder(num_patches_per_side=4)
    with pytest.raises(ValueError, match="'<patch_index_0000>'"):
        DistanceLabelEncoder(tok)
    tok.box_coder = BinBoxCoder(num_bins=8, token_fmt='<bin_{}>')
    with pytest.raises(ValueError, match='disagree'):
        DistanceLabelEncoder(tok)


@pytest.mark.parametrize(
    'kwargs, match',
    [
        (dict(power=0), 'power must be > 0, got 0'),
        (dict(scale=-1.0), 'scale must be > 0, got -1.0'),
        (dict(mix=1.5), r'mix must be in \[0, 1\], got 1.5'),
        (dict(window=-1), 'window must be None or >= 0, got -1'),
    ],
)
def test_bad_parameters_raise(bin_tokenizer, kwargs, match):
    with pytest.raises(ValueError, match=match):
        DistanceLabelEncoder(bin_tokenizer, **kwargs)


def test_too_small_vocab_size_raises(bin_tokenizer):
    enc = DistanceLabelEncoder(bin_tokenizer)
    with pytest.raises(ValueError, match='vocab_size 10 is too small'):
        enc(torch.tensor([1]), 10)


def test_feeds_the_gem_loss(tokenizer):
    from vltoolkit.losses import GEMLoss, TokenCrossEntropyLoss

    ids = _targets(tokenizer)
    v = len(tokenizer)
    dist = DistanceLabelEncoder(tokenizer, window=2)(ids, v)
    logits = torch.randn(ids.numel(), v, requires_grad=True)
    for loss in (GEMLoss(h='linear'), GEMLoss(h='logsigmoid'), TokenCrossEntropyLoss()):
        value = loss(logits, dist)
        value.backward()
        assert math.isfinite(value.item())


def test_plot_tool_writes_the_figure(tmp_path):
    spec = importlib.util.spec_from_file_location(
        'plot_distance_label', ROOT / 'tools' / 'analysis' / 'plot_distance_label.py'
    )
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    out = tmp_path / 'fig.png'
    tool.main(['--num-patches', '8', '--index', '27', '--num-bins', '32', '--out', str(out)])
    assert out.stat().st_size > 1000


# ------------------------------------------- defaults, mass on truth, bias
def _bin_kernel(power, window):
    """(1 + d) ** -power for d = 0 .. window, by the formula."""
    return [(1 + d) ** -power for d in range(window + 1)]


def _disc(power, window, quarter):
    """((dc, dr), weight) of the cells within ``window`` of a cell, all
    around it or (``quarter``) only right / below it (a corner cell)."""
    lo = 0 if quarter else -window
    return [
        ((dc, dr), (1 + math.hypot(dc, dr)) ** -power)
        for dr in range(lo, window + 1)
        for dc in range(lo, window + 1)
        if math.hypot(dc, dr) <= window
    ]


def test_defaults_are_the_shipped_recipe_values(bin_tokenizer):
    # power 2, window 4: truth 8 of 16 bins gets 1 / (1 + 2 sum_{d=1..4} (1+d)^-2)
    enc = DistanceLabelEncoder(bin_tokenizer)
    assert (enc.power, enc.scale, enc.window, enc.mix) == (2.0, 1.0, 4, 0.0)
    ids = bin_tokenizer.location_token_ids
    row = enc(ids[8:9], len(bin_tokenizer))[0, ids].double()
    w = torch.tensor(
        [(1 + abs(j - 8)) ** -2.0 if abs(j - 8) <= 4 else 0.0 for j in range(16)],
        dtype=torch.float64,
    )
    assert torch.allclose(row, w / w.sum(), atol=1e-7)
    assert row[8].item() == pytest.approx(1 / (1 + 2 * sum(_bin_kernel(2, 4)[1:])), abs=1e-7)


def test_true_mass_at_defaults_equals_independent_sums():
    bins = distance_label_stats(BinBoxCoder(1000))
    k = _bin_kernel(2, 4)
    assert bins['true_mass_centre'] == pytest.approx(1 / (1 + 2 * sum(k[1:])), rel=1e-12)
    assert bins['true_mass_border'] == pytest.approx(1 / sum(k), rel=1e-12)
    assert bins['true_mass_centre'] == pytest.approx(0.5189, abs=1e-4)
    for p in (32, 40):  # the window fits inside both grids: same masses
        patches = distance_label_stats(PatchIndexBoxCoder(p))
        centre = sum(w for _, w in _disc(2, 4, quarter=False))
        corner = sum(w for _, w in _disc(2, 4, quarter=True))
        assert patches['true_mass_centre'] == pytest.approx(1 / centre, rel=1e-12)
        assert patches['true_mass_border'] == pytest.approx(1 / corner, rel=1e-12)
    # the old default (power 1, no window): the 7.9% and 0.8%
    assert distance_label_stats(BinBoxCoder(1000), power=1, window=None)[
        'true_mass_centre'
    ] == pytest.approx(0.0794, abs=1e-4)
    assert distance_label_stats(PatchIndexBoxCoder(40), power=1, window=None)[
        'true_mass_centre'
    ] == pytest.approx(0.0082, abs=1e-4)


def test_border_bias_formula():
    # bin 0: the label's mean is sum_d d k_d / sum_d k_d bins inward
    k = _bin_kernel(2, 4)
    bias = sum(d * w for d, w in enumerate(k)) / sum(k)
    stats = distance_label_stats(BinBoxCoder(1000))
    assert stats['border_bias'] == pytest.approx(bias, rel=1e-12)
    assert stats['border_bias_frac'] == pytest.approx(bias / 999, rel=1e-12)
    # power 1, no window: sum_{d<1000} d/(1+d) / sum 1/(1+d) = 13% of the image
    k = _bin_kernel(1, 999)
    old = distance_label_stats(BinBoxCoder(1000), power=1, window=None)
    assert old['border_bias'] == pytest.approx(
        sum(d * w for d, w in enumerate(k)) / sum(k), rel=1e-12
    )
    assert old['border_bias_frac'] == pytest.approx(0.1327, abs=1e-4)
    # the corner cell of a P x P grid: the mean column (and row) of the
    # quarter disc, over P cells per side
    for p in (32, 40):
        cells = _disc(2, 4, quarter=True)
        bias = sum(dc * w for (dc, _), w in cells) / sum(w for _, w in cells)
        stats = distance_label_stats(PatchIndexBoxCoder(p))
        assert stats['border_bias'] == pytest.approx(bias, rel=1e-12)
        assert stats['border_bias_frac'] == pytest.approx(bias / p, rel=1e-12)
    # an interior true token has no bias
    table = distance_label_table(BinBoxCoder(1000))
    assert float(table[500] @ torch.arange(1000).double()) == pytest.approx(500.0)


def test_stats_tool_prints_every_coder_and_setting(capsys):
    spec = importlib.util.spec_from_file_location(
        'distance_label_stats', ROOT / 'tools' / 'analysis' / 'distance_label_stats.py'
    )
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    rows = tool.main(
        [
            '--num-bins',
            '100',
            '--num-patches',
            '8',
            '--settings',
            'power=2,window=4',
            'power=1,window=none',
        ]
    )
    assert [(r['coder'], r['setting']) for r in rows] == [
        ('100 bins', 'power=2,window=4'),
        ('100 bins', 'power=1,window=none'),
        ('8x8 patches', 'power=2,window=4'),
        ('8x8 patches', 'power=1,window=none'),
    ]
    assert rows[1] == dict(
        coder='100 bins',
        setting='power=1,window=none',
        **distance_label_stats(BinBoxCoder(100), power=1, window=None),
    )
    assert '8x8 patches' in capsys.readouterr().out
    with pytest.raises(SystemExit, match='bad setting'):
        tool.parse_setting('temperature=2')
