"""The toy HOI demo behind ``make demo``: data -> train -> test -> Macro F1.

Generates the synthetic HOI set (V-COCO-derived HOIA format) and its
tokenizer, trains the tiny recipe on the CPU, tests the last checkpoint and
prints the per-relation table and the Macro F1 next to a trivial baseline
(every pair gets the most frequent training label set) and next to the range
the same recipe gave over training seeds (``docs/results/toy_seeds.json``,
written by ``tools/analysis/ablate.py``; docs/results.md): one run is one draw
from that range, not the recipe's number.
"""

import argparse
import os.path as osp
import runpy
import subprocess
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
#: per-seed final metrics of the toy recipes (tools/analysis/ablate.py --out)
SEED_RECORD = osp.join(ROOT, 'docs', 'results', 'toy_seeds.json')


def seed_range(config: str, key: str, record: str = SEED_RECORD) -> str:
    """``'min - max over N seeds (mean ± sample std)'`` of metric ``key`` for
    ``config`` (``<folder>/<recipe>``) in ablate.py's per-seed JSON, or a
    note that none was recorded."""
    import json

    import numpy as np

    name = osp.join(
        osp.basename(osp.dirname(osp.abspath(config))), osp.splitext(osp.basename(config))[0]
    )
    runs = []
    if osp.isfile(record):
        with open(record) as f:
            runs = json.load(f).get(name, [])
    values = np.array([r[key] for r in runs if key in r], dtype=float)
    if not len(values):
        return f'no seeds recorded for {name} ({osp.relpath(record, ROOT)})'
    spread = f' (mean {values.mean():.2f} ± {values.std(ddof=1):.2f})' if len(values) > 1 else ''
    return (
        f'{values.min():.2f} - {values.max():.2f} over {len(values)} '
        f'seed{"s" * (len(values) > 1)}{spread}'
    )


def run(cmd):
    print('$', ' '.join(cmd), flush=True)
    subprocess.run(cmd, check=True, cwd=ROOT)


def prepare_toy_hoi(data_root: str, shown: str, num_train: int, num_test: int) -> bool:
    """Make the demo's toy HOI set in ``data_root`` unless its ``toy_meta.json``
    (written by ``tools/data/make_toy.py``) records exactly that set: same
    generator, source and settings, unchanged annotation files. Says why it
    regenerates (a docs page may have left a 40-image set there); returns
    True when it (re)generated the set (its tokenizer must follow)."""
    from vltoolkit.datasets.toy import make_toy_hoi
    from vltoolkit.datasets.toy.toy_meta import toy_meta, toy_meta_mismatch

    wanted = toy_meta('hoi', make_toy_hoi, dict(num_train=num_train, num_test=num_test, seed=0))
    if osp.isdir(data_root):
        why = toy_meta_mismatch(data_root, wanted)
        if why is None:
            print(f'{shown}: the toy HOI set of {num_train} / {num_test} images (toy_meta.json)')
            return False
        print(
            f'{shown} does not hold the demo\'s set ({num_train} / {num_test} images): {why}. '
            'Regenerating it.',
            flush=True,
        )
    run(
        [
            sys.executable,
            'tools/data/make_toy.py',
            'hoi',
            '--out',
            shown,
            '--num-train',
            str(num_train),
            '--num-test',
            str(num_test),
            '--seed',
            '0',
        ]
    )
    return True


def label_sets(cfg, split):
    from vltoolkit.registry import DATASETS

    dataset_cfg = dict(cfg[f'{split}_dataloader'].dataset, pipeline=[])
    return [
        info['gt_relations']
        for info in DATASETS.build(dataset_cfg).load_data_list()
        if info['task'] == 'hoi'
    ]  # relation questions, not localisation queries


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--config', default='configs/hoi/gem_distlabel_toy.py')
    parser.add_argument('--work-dir', default='work_dirs/demo_hoi')
    parser.add_argument('--num-train', type=int, default=2400)
    parser.add_argument('--num-test', type=int, default=300)
    parser.add_argument(
        '--cfg-options', nargs='+', default=[], help='passed to tools/train.py and tools/test.py'
    )
    args = parser.parse_args()
    extra = ['--cfg-options', *args.cfg_options] if args.cfg_options else []
    start = time.time()

    from mmengine.registry import init_default_scope

    from vltoolkit.engine.runner import prepare_config

    init_default_scope('vltoolkit')
    # the same overrides as train / test get (data_root=... moves the toy set too)
    from mmengine.config import DictAction

    options = {
        k: DictAction._parse_iterable(v)
        for k, v in (item.split('=', 1) for item in args.cfg_options)
    }
    cfg = prepare_config(osp.join(ROOT, args.config), options)
    data_root = osp.join(ROOT, cfg.data_root)
    if prepare_toy_hoi(data_root, cfg.data_root, args.num_train, args.num_test) or not osp.isdir(
        osp.join(ROOT, cfg.tokenizer['path'])
    ):
        run([sys.executable, 'tools/data/build_tokenizer.py', args.config, *extra])
    run([sys.executable, 'tools/train.py', args.config, '--work-dir', args.work_dir, *extra])
    with open(osp.join(ROOT, args.work_dir, 'last_checkpoint')) as f:
        ckpt = f.read().strip()
    train_time = time.time() - start

    test_main = runpy.run_path(osp.join(ROOT, 'tools', 'test.py'))['main']
    metrics = test_main([args.config, ckpt, '--work-dir', args.work_dir, *extra])

    from vltoolkit.evaluation import most_frequent_baseline

    baseline = most_frequent_baseline(
        label_sets(cfg, 'train'), label_sets(cfg, 'test'), cfg.get('classes') or _classes()
    )
    from rich.console import Console
    from rich.table import Table

    table = Table(title='HOI demo: Macro F1 (%) on the toy test pairs')
    table.add_column('predictor')
    table.add_column('Macro F1', justify='right')
    table.add_column('recorded over training seeds', justify='right')
    table.add_row(
        f'vltoolkit tiny VisionSeq2Seq ({osp.basename(args.config)})',
        f"{metrics['hoi/macro_f1']:.2f}",
        seed_range(args.config, 'hoi/macro_f1'),
    )
    table.add_row(
        f"baseline: always '{', '.join(sorted(baseline['prediction']))}'",
        f"{baseline['macro_f1']:.2f}",
        '',
    )
    Console().print(table)
    if 'grounding/acc_at_0_5' in metrics:
        print(
            f"object localisation queries: Acc@0.5 {metrics['grounding/acc_at_0_5']:.2f} "
            f"[recorded: {seed_range(args.config, 'grounding/acc_at_0_5')}], "
            f"mIoU {metrics['grounding/miou']:.2f} "
            f"({metrics['grounding/num_samples']} queries)"
        )
    print(
        f'demo wall time: {time.time() - start:.0f} s '
        f'(data + tokenizer + training: {train_time:.0f} s)'
    )


def _classes():
    from vltoolkit.datasets.vcoco_meta import VCOCO_CLASSES

    return list(VCOCO_CLASSES)


if __name__ == '__main__':
    main()
