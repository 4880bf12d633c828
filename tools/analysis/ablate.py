"""Run a set of recipes over seeds and tabulate their final metrics.

``python tools/analysis/ablate.py CONFIG... [--seeds 3] [--out docs/results/NAME]``

Each config runs as given (``--toy`` runs the ``*_toy.py`` twin of each
instead, saying so, and stops if one has none), once per seed
(``randomness.seed``), through ``tools/train.py`` in a subprocess, in
``<--work-dir>/<folder>/<recipe>/seed<N>`` (the default work-dir rule, one
level down). The last validation record of each run (mmengine's
``vis_data/scalars.json``) gives the metrics; the table shows, per config and
metric, the mean +- the sample standard deviation (ddof=1) over seeds and the
per-seed values; it is printed with rich and written as Markdown
(``OUT.md``), CSV (``OUT.csv``) and the raw per-seed records (``OUT.json``).
"""

import argparse
import csv
import glob
import json
import os
import os.path as osp
import subprocess
import sys

import numpy as np

from vltoolkit.utils.paths import tools_root

# metrics shown when present, in this order, with a short column name
COLUMNS = {
    'hoi/macro_f1': 'Macro F1',
    'grounding/acc_at_0_5': 'Acc@0.5',
    'grounding/miou': 'mIoU',
    'retrieval/R@1': 'R@1',
    'retrieval/R@5': 'R@5',
    'retrieval/R@10': 'R@10',
    'vqa/accuracy': 'VQA acc',
}
# MCN retrieval (the staged MCN study), ranked within each evaluation set (group_by='source')
COLUMNS.update(
    {
        f'retrieval/{src}/{k}': f'{name} {k}'
        for src, name in (('youcook2', 'YC2'), ('msrvtt', 'MSR-VTT'))
        for k in ('R@1', 'R@5', 'R@10', 'MedR')
    }
)


def toy_twin(config: str) -> str:
    """``X_toy.py`` for ``X.py`` (a toy config is its own twin); a config
    without a twin is an error, never silently run instead."""
    stem, ext = osp.splitext(config)
    if stem.endswith('_toy'):
        return config
    twin = stem + '_toy' + ext
    if not osp.isfile(twin):
        raise FileNotFoundError(
            f'--toy: {config} has no toy twin {twin}; run it without --toy or write the twin'
        )
    return twin


def recipe_name(config: str) -> str:
    """``<folder>/<recipe>``: the name of the default work dir under work_dirs."""
    path = osp.abspath(config)
    return osp.join(osp.basename(osp.dirname(path)), osp.splitext(osp.basename(path))[0])


def last_val_metrics(work_dir: str) -> dict:
    files = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
    if not files:
        raise FileNotFoundError(f'no scalars.json under {work_dir}: did the run validate?')
    last = {}
    with open(files[-1]) as f:
        for line in f:
            record = json.loads(line)
            if any(k in record for k in COLUMNS):
                last = record
    return {k: v for k, v in last.items() if k in COLUMNS}


def run_one(config, seed, work_dir, extra):
    cmd = [
        sys.executable,
        str(tools_root() / 'train.py'),
        config,
        '--work-dir',
        work_dir,
        '--cfg-options',
        f'randomness.seed={seed}',
        *extra,
    ]
    log = osp.join(work_dir + '.log')
    os.makedirs(osp.dirname(log), exist_ok=True)
    with open(log, 'w') as f:
        proc = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        raise RuntimeError(f'{config} seed {seed} failed (exit {proc.returncode}); see {log}')
    return last_val_metrics(work_dir)


def mean_std(values) -> tuple:
    """Mean and sample standard deviation (ddof=1; NaN for one value)."""
    vals = np.asarray(values, dtype=float)
    return float(vals.mean()), float(vals.std(ddof=1)) if len(vals) > 1 else float('nan')


def format_cell(values) -> str:
    """``mean ± std (v1, v2, ...)``; one seed gives its value alone."""
    if not len(values):
        return '-'
    if len(values) == 1:
        return f'{values[0]:.2f} (1 seed)'
    mean, std = mean_std(values)
    return f'{mean:.2f} ± {std:.2f} (' + ', '.join(f'{v:.2f}' for v in values) + ')'


def summarise(results: dict) -> tuple:
    """``(header, rows)``: per config, its number of seeds and, per metric,
    :func:`format_cell` of its per-seed values."""
    keys = [k for k in COLUMNS if any(k in r for runs in results.values() for r in runs)]
    rows = []
    for name, runs in results.items():
        row = [name, str(len(runs))]
        row += [format_cell([r[k] for r in runs if k in r]) for k in keys]
        rows.append(row)
    return ['config', 'seeds'] + [COLUMNS[k] for k in keys], rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('configs', nargs='+')
    parser.add_argument('--seeds', type=int, default=3)
    parser.add_argument(
        '--first-seed', type=int, default=0, help='run seeds first-seed .. first-seed + seeds - 1'
    )
    parser.add_argument(
        '--toy',
        action='store_true',
        help='run the *_toy.py twin of each config (an error if one has none)',
    )
    parser.add_argument('--work-dir', default='work_dirs/ablate')
    parser.add_argument(
        '--out', default='work_dirs/ablate/results', help='writes OUT.md, OUT.csv and OUT.json'
    )
    parser.add_argument(
        '--cfg-options',
        nargs='*',
        default=[],
        help='passed to every run, e.g. train_cfg.max_epochs=5',
    )
    args = parser.parse_args(argv)

    from vltoolkit.utils.progress import ProgressBar

    configs = list(args.configs)
    if args.toy:
        configs = [toy_twin(c) for c in configs]
        for given, twin in zip(args.configs, configs):
            if given != twin:
                print(f'--toy: {given} -> {twin}')
    names = [recipe_name(c) for c in configs]
    if len(set(names)) != len(names):
        raise ValueError(f'the same recipe twice in {args.configs}')
    results = {}
    with ProgressBar(len(configs) * args.seeds, 'ablation', min_interval=0) as bar:
        for config, name in zip(configs, names):
            results[name] = []
            for seed in range(args.first_seed, args.first_seed + args.seeds):
                bar.set_description(f'ablation: {name} seed {seed}')
                work_dir = osp.join(args.work_dir, name, f'seed{seed}')
                results[name].append(run_one(config, seed, work_dir, args.cfg_options))
                bar.update()
    return report(results, args.out)


def report(results: dict, out: str) -> tuple:
    """Print the table and write ``out``.md / .csv / .json; returns it."""
    from rich.console import Console
    from rich.table import Table

    header, rows = summarise(results)
    seeds = sorted({len(runs) for runs in results.values()})
    table = Table(
        title='Ablation: mean ± sample std (ddof=1) over '
        f'{"/".join(map(str, seeds))} seeds, then the per-seed values'
    )
    for h in header:
        table.add_column(h, justify='left' if h == 'config' else 'right')
    for row in rows:
        table.add_row(*row)
    Console().print(table)
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    with open(out + '.md', 'w') as f:
        f.write('| ' + ' | '.join(header) + ' |\n|' + '---|' * len(header) + '\n')
        f.writelines('| ' + ' | '.join(r) + ' |\n' for r in rows)
    with open(out + '.csv', 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    with open(out + '.json', 'w') as f:
        json.dump(results, f, indent=1)
    print(f'wrote {out}.md, .csv and .json')
    return header, rows


if __name__ == '__main__':
    main()
