"""Paired comparison of recipes over the same training seeds.

``python tools/analysis/paired_seeds.py RESULTS.json --baseline hoi/ce_onehot_toy``

Reads the per-seed records written by ``tools/analysis/ablate.py --out
RESULTS`` (``{recipe: [metrics of seed first, first + 1, ...]}``, seeds in
the same order for every recipe) and compares every recipe of the
baseline's folder with the baseline, metric by metric, on the seeds both
have. With ``d_s`` the difference on seed ``s`` and ``n`` seeds:

.. math::

    \\bar d = \\frac{1}{n}\\sum_s d_s, \\qquad
    t = \\frac{\\bar d}{s_d / \\sqrt{n}}, \\qquad
    \\bar d \\pm t_{0.975,\\,n-1}\\, \\frac{s_d}{\\sqrt{n}}

(``s_d`` the sample std, ddof=1; the two-sided p-value of the paired
t-test, ``scipy.stats.ttest_rel``, with ``n - 1`` degrees of freedom).
"""

import argparse
import json
import math

import numpy as np

METRICS = {'hoi/macro_f1': 'Macro F1', 'grounding/acc_at_0_5': 'Acc@0.5', 'grounding/miou': 'mIoU'}


def paired(baseline, other):
    """``dict(n, mean, sd, t, p, low, high)`` of ``other - baseline`` (lists
    of per-seed values, paired by position); ``t``/``p``/bounds are NaN
    for fewer than 2 seeds or identical differences."""
    from scipy import stats

    d = np.asarray(other, float) - np.asarray(baseline, float)
    n = len(d)
    out = dict(
        n=n,
        mean=float(d.mean()) if n else math.nan,
        sd=math.nan,
        t=math.nan,
        p=math.nan,
        low=math.nan,
        high=math.nan,
    )
    if n < 2:
        return out
    sd = float(d.std(ddof=1))
    out['sd'] = sd
    if sd == 0:
        return out
    half = float(stats.t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
    res = stats.ttest_rel(other, baseline)
    out.update(
        t=float(res.statistic), p=float(res.pvalue), low=out['mean'] - half, high=out['mean'] + half
    )
    return out


def compare(results: dict, baseline: str) -> list:
    """Rows ``(recipe, metric, stats)`` for every recipe in ``baseline``'s
    folder (``<folder>/<recipe>``) other than the baseline."""
    if baseline not in results:
        raise KeyError(f'baseline {baseline!r} is not in the results; recipes: {sorted(results)}')
    folder = baseline.split('/')[0]
    rows = []
    for name, runs in results.items():
        if name == baseline or name.split('/')[0] != folder:
            continue
        n = min(len(runs), len(results[baseline]))
        for key, label in METRICS.items():
            base = [r.get(key) for r in results[baseline][:n]]
            other = [r.get(key) for r in runs[:n]]
            if None in base or None in other or not n:
                continue
            rows.append((name, label, paired(base, other)))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('results', help="ablate.py's OUT.json")
    parser.add_argument(
        '--baseline', required=True, help='<folder>/<recipe>, e.g. hoi/ce_onehot_toy'
    )
    args = parser.parse_args(argv)
    with open(args.results) as f:
        results = json.load(f)
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f'paired over seeds: recipe - {args.baseline}')
    for col in ('recipe', 'metric', 'seeds', 'mean diff', 'sd', 't', 'p', '95% CI'):
        table.add_column(col, justify='left' if col in ('recipe', 'metric') else 'right')
    rows = compare(results, args.baseline)
    for name, label, st in rows:
        table.add_row(
            name,
            label,
            str(st['n']),
            f"{st['mean']:+.2f}",
            f"{st['sd']:.2f}",
            f"{st['t']:.2f}",
            f"{st['p']:.3f}",
            f"[{st['low']:+.2f}, {st['high']:+.2f}]",
        )
    Console().print(table)
    return rows


if __name__ == '__main__':
    main()
