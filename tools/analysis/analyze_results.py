"""Analyse the predictions of ``tools/test.py --out PREDS.pkl``.

    python tools/analysis/analyze_results.py CONFIG PREDS.pkl [--out-dir DIR] [--worst N]

Writes into ``--out-dir`` (default: ``analysis/`` beside PREDS.pkl):

- ``relations_prf.png``: per-relation precision / recall / F1 bars (the
  relations ``MacroF1`` scores), ``relations_prf.csv`` the same numbers;
- ``relation_confusion.png`` / ``.csv``: true vs predicted relations
  (:func:`vltoolkit.evaluation.relation_confusion`);
- ``iou_histogram.png``: the IoU of each localisation answer's first box;
- ``worst/``: the N worst samples drawn (ground truth green, prediction red);
- ``summary.json``.
"""

import argparse
import csv
import json
import os
import os.path as osp

import numpy as np

from vltoolkit.utils.cli import CfgOptionsAction


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Analyse dumped test predictions')
    p.add_argument('config')
    p.add_argument('preds', help='the .pkl written by tools/test.py --out')
    p.add_argument('--out-dir')
    p.add_argument('--worst', type=int, default=12, help='worst samples to draw')
    p.add_argument(
        '--cfg-options',
        nargs='+',
        action=CfgOptionsAction,
        metavar='KEY=VALUE',
        help='override config keys',
    )
    return p.parse_args(argv)


def load_predictions(path: str) -> list:
    """The dumped samples (a list of dicts), with a clear error otherwise."""
    from vltoolkit.datasets.feature_pickle import load_feature_pickle

    if not osp.isfile(path):
        raise FileNotFoundError(
            f'{path} does not exist: write it with tools/test.py CONFIG CKPT --out preds.pkl'
        )
    preds = load_feature_pickle(path, 'predictions file')  # data types only
    if not isinstance(preds, list) or not all(isinstance(p, dict) for p in preds):
        raise ValueError(f'{path} is not a tools/test.py --out dump (a list of sample dicts)')
    return preds


def _bar_chart(classes, res, out_png):
    import matplotlib

    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    x = np.arange(len(classes))
    fig, ax = plt.subplots(figsize=(max(6, 0.45 * len(classes)), 4))
    for k, (name, color) in enumerate(
        (('precision', '#4c72b0'), ('recall', '#dd8452'), ('f1', '#55a868'))
    ):
        ax.bar(x + (k - 1) * 0.27, 100 * res[name], 0.27, label=name, color=color)
    ax.set_xticks(x, classes, rotation=60, ha='right', fontsize=8)
    ax.set_ylim(0, 105)
    ax.set_ylabel('%')
    ax.set_title(
        f"per relation (macro F1 {res['macro_f1']:.1f}, averaged over {res['average_over']})"
    )
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out_png, dpi=90)
    plt.close(fig)


def _heatmap(counts, labels, out_png):
    import matplotlib

    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(max(5, 0.4 * len(labels)), max(4, 0.4 * len(labels))))
    ax.imshow(counts, cmap='Blues')
    ax.set_xticks(range(len(labels)), labels, rotation=60, ha='right', fontsize=7)
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    ax.set_xlabel('predicted')
    ax.set_ylabel('true')
    for (r, c), v in np.ndenumerate(counts):
        if v:
            ax.text(c, r, str(v), ha='center', va='center', fontsize=6)
    fig.tight_layout()
    fig.savefig(out_png, dpi=90)
    plt.close(fig)


def _histogram(ious, out_png):
    import matplotlib

    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.2))
    ax.hist(ious, bins=np.linspace(0, 1, 21), color='#4c72b0')
    ax.axvline(0.5, color='k', ls='--', lw=1)
    ax.set_xlabel('IoU of the first predicted box')
    ax.set_ylabel('answers')
    ax.set_title(
        f'{len(ious)} localisation answers, Acc@0.5 {100 * np.mean(np.asarray(ious) >= 0.5):.1f}'
    )
    fig.tight_layout()
    fig.savefig(out_png, dpi=90)
    plt.close(fig)


def _write_csv(path, header, rows):
    with open(path, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def main(argv=None):
    args = parse_args(argv)
    from mmengine.registry import init_default_scope

    from vltoolkit.apis.recipe import recipe_box_coder, recipe_metainfo, recipe_relation_tasks
    from vltoolkit.engine.runner import prepare_config
    from vltoolkit.evaluation import (
        MacroF1,
        judge_sample,
        multi_hot,
        order_by_verdict,
        relation_confusion,
    )
    from vltoolkit.evaluation.parsers.answer import relation_parser_from_meta
    from vltoolkit.registry import VISUALIZERS
    from vltoolkit.visualization import draw_evaluated_sample

    cfg = prepare_config(args.config, args.cfg_options)  # overrides, ${data_root} & co.
    init_default_scope(cfg.get('default_scope', 'vltoolkit'))
    preds = load_predictions(args.preds)
    out_dir = args.out_dir or osp.join(osp.dirname(osp.abspath(args.preds)), 'analysis')
    os.makedirs(out_dir, exist_ok=True)
    coder = recipe_box_coder(cfg)
    parser = relation_parser_from_meta(recipe_metainfo(cfg.test_dataloader.dataset))
    tasks = recipe_relation_tasks(cfg)
    summary = dict(num_samples=len(preds))

    rel = [
        p
        for p in preds
        if parser is not None
        and p.get('gt_relations') is not None
        and (tasks is None or p.get('task') in (tasks or ()))
    ]
    if rel:
        classes = parser.classes
        gt_sets = [
            set([p['gt_relations']] if isinstance(p['gt_relations'], str) else p['gt_relations'])
            for p in rel
        ]
        pred_sets = [parser.parse(p.get('pred_text'))[0] for p in rel]
        res = MacroF1.calculate(multi_hot(gt_sets, classes), multi_hot(pred_sets, classes))
        shown = [int(i) for i in res['labels']]
        _bar_chart(
            [classes[i] for i in shown],
            {k: (res[k][shown] if k in ('precision', 'recall', 'f1') else res[k]) for k in res},
            osp.join(out_dir, 'relations_prf.png'),
        )
        _write_csv(
            osp.join(out_dir, 'relations_prf.csv'),
            ['relation', 'precision', 'recall', 'f1', 'support', 'predicted'],
            [
                [
                    classes[i],
                    f"{100 * res['precision'][i]:.2f}",
                    f"{100 * res['recall'][i]:.2f}",
                    f"{100 * res['f1'][i]:.2f}",
                    int(res['support'][i]),
                    int(res['num_predicted'][i]),
                ]
                for i in shown
            ],
        )
        counts, labels = relation_confusion(gt_sets, pred_sets, classes)
        keep = [i for i in range(len(labels)) if counts[i].any() or counts[:, i].any()]
        _heatmap(
            counts[np.ix_(keep, keep)],
            [labels[i] for i in keep],
            osp.join(out_dir, 'relation_confusion.png'),
        )
        _write_csv(
            osp.join(out_dir, 'relation_confusion.csv'),
            ['true \\ pred'] + labels,
            [[labels[r]] + counts[r].tolist() for r in range(len(labels))],
        )
        summary.update(
            relation_samples=len(rel),
            macro_f1=res['macro_f1'],
            micro_f1=res['micro_f1'],
            averaged_over=res['average_over'],
        )

    verdicts = [judge_sample(p, coder, parser) for p in preds]
    ious = [v['score'] for v in verdicts if v['kind'] == 'box']
    if ious:
        _histogram(ious, osp.join(out_dir, 'iou_histogram.png'))
        summary.update(
            box_samples=len(ious), acc_at_0_5=100 * float(np.mean(np.asarray(ious) >= 0.5))
        )
    judged = [i for i, v in enumerate(verdicts) if v['right'] is not None]
    summary['num_wrong'] = sum(not verdicts[i]['right'] for i in judged)
    worst_dir = osp.join(out_dir, 'worst')
    os.makedirs(worst_dir, exist_ok=True)
    visualizer = VISUALIZERS.build(dict(type='VLVisualizer', name='analyze_results'))
    order = order_by_verdict([verdicts[i] for i in judged], 'worst')[: args.worst]
    for rank, k in enumerate(order):
        i = judged[k]
        stem = osp.splitext(osp.basename(preds[i]['img_path']))[0]
        draw_evaluated_sample(
            visualizer,
            preds[i],
            coder,
            verdicts[i],
            osp.join(worst_dir, f'{rank:03d}_{stem}_{i}.png'),
        )
    with open(osp.join(out_dir, 'summary.json'), 'w') as f:
        json.dump(summary, f, indent=2)
    print(json.dumps(summary, indent=2))
    print(f'wrote the analysis to {out_dir}')
    return summary


if __name__ == '__main__':
    main()
