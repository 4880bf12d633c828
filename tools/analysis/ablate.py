"""Run a set of recipes over seeds and tabulate their final metrics.

``python tools/analysis/ablate.py CONFIG... [--seeds 3] [--out docs/results/NAME]``

Each config runs with its CPU-sized ``*_toy.py`` twin when one exists (pass
``--no-toy`` to run the configs as given), once per seed (``randomness.seed``),
through ``tools/train.py`` in a subprocess. The last validation record of
each run (mmengine's ``vis_data/scalars.json``) gives the metrics; the table
shows mean +- standard deviation over seeds, is printed with rich, and is
written as Markdown (``OUT.md``) and CSV (``OUT.csv``).
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

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
# metrics shown when present, in this order, with a short column name
COLUMNS = {'hoi/macro_f1': 'Macro F1', 'grounding/acc_at_0_5': 'Acc@0.5',
           'grounding/miou': 'mIoU', 'retrieval/R@1': 'R@1', 'retrieval/R@5': 'R@5',
           'retrieval/R@10': 'R@10', 'vqa/accuracy': 'VQA acc'}
# MCN retrieval (seed 001), ranked within each evaluation set (group_by='source')
COLUMNS.update({f'retrieval/{src}/{k}': f'{name} {k}'
                for src, name in (('youcook2', 'YC2'), ('msrvtt', 'MSR-VTT'))
                for k in ('R@1', 'R@5', 'R@10', 'MedR')})


def toy_twin(config: str) -> str:
    stem, ext = osp.splitext(config)
    if stem.endswith('_toy'):
        return config
    return stem + '_toy' + ext if osp.isfile(stem + '_toy' + ext) else config


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
    cmd = [sys.executable, osp.join(ROOT, 'tools', 'train.py'), config, '--work-dir',
           work_dir, '--cfg-options', f'randomness.seed={seed}', *extra]
    log = osp.join(work_dir + '.log')
    os.makedirs(osp.dirname(log), exist_ok=True)
    with open(log, 'w') as f:
        proc = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        raise RuntimeError(f'{config} seed {seed} failed (exit {proc.returncode}); see {log}')
    return last_val_metrics(work_dir)


def summarise(results: dict) -> tuple:
    keys = [k for k in COLUMNS if any(k in r for runs in results.values() for r in runs)]
    rows = []
    for name, runs in results.items():
        row = [name, str(len(runs))]
        for k in keys:
            vals = np.array([r[k] for r in runs if k in r], dtype=float)
            row.append(f'{vals.mean():.2f} ± {vals.std():.2f}' if len(vals) else '-')
        rows.append(row)
    return ['config', 'seeds'] + [COLUMNS[k] for k in keys], rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('configs', nargs='+')
    parser.add_argument('--seeds', type=int, default=3)
    parser.add_argument('--first-seed', type=int, default=0,
                        help='run seeds first-seed .. first-seed + seeds - 1')
    parser.add_argument('--no-toy', action='store_true', help='run the configs as given')
    parser.add_argument('--work-dir', default='work_dirs/ablate')
    parser.add_argument('--out', default='work_dirs/ablate/results',
                        help='writes OUT.md and OUT.csv')
    parser.add_argument('--cfg-options', nargs='*', default=[],
                        help='passed to every run, e.g. train_cfg.max_epochs=5')
    args = parser.parse_args()

    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table
    configs = [c if args.no_toy else toy_twin(c) for c in args.configs]
    results = {}
    with Progress() as progress:
        task = progress.add_task('ablation', total=len(configs) * args.seeds)
        for config in configs:
            name = osp.splitext(osp.basename(config))[0]
            results[name] = []
            for seed in range(args.first_seed, args.first_seed + args.seeds):
                progress.update(task, description=f'{name} seed {seed}')
                work_dir = osp.join(args.work_dir, name, f'seed{seed}')
                results[name].append(run_one(config, seed, work_dir, args.cfg_options))
                progress.advance(task)
    header, rows = summarise(results)
    table = Table(title=f'Ablation (mean ± std over {args.seeds} seeds)')
    for h in header:
        table.add_column(h, justify='left' if h == 'config' else 'right')
    for row in rows:
        table.add_row(*row)
    Console().print(table)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    with open(args.out + '.md', 'w') as f:
        f.write('| ' + ' | '.join(header) + ' |\n|' + '---|' * len(header) + '\n')
        f.writelines('| ' + ' | '.join(r) + ' |\n' for r in rows)
    with open(args.out + '.csv', 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    with open(args.out + '.json', 'w') as f:
        json.dump(results, f, indent=1)
    print(f'wrote {args.out}.md, .csv and .json')


if __name__ == '__main__':
    main()
