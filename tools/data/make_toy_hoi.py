"""Generate the synthetic HOI set (HOIA format; see docs/datasets/hoi.md).

Example::

    python tools/data/make_toy_hoi.py --out data/toy_hoi \\
        --num-train 600 --num-test 200 --seed 0

writes ``data/toy_hoi/images/{train,test}/*.png`` and
``data/toy_hoi/annotations/{train,test}.json`` and prints per-split counts.
"""
import argparse
import sys
import time

from rich.console import Console
from rich.table import Table

from vltoolkit.datasets.toy import TOY_HOI_CLASSES_USED, make_toy_hoi
from vltoolkit.datasets.vcoco_converter import summarize_hoia


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Generate the synthetic HOI set (V-COCO classes, HOIA '
        'format).')
    parser.add_argument('--out', default='data/toy_hoi',
                        help='output folder (default: data/toy_hoi)')
    parser.add_argument('--num-train', type=int, default=600)
    parser.add_argument('--num-test', type=int, default=200)
    parser.add_argument('--img-size', type=int, default=96,
                        help='square image side in pixels (>= 64)')
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    console = Console(stderr=True)
    start = time.time()
    try:
        with console.status(f'drawing {args.num_train} + {args.num_test} '
                            f'scenes into {args.out} ...'):
            splits = make_toy_hoi(args.out, num_train=args.num_train,
                                  num_test=args.num_test,
                                  img_size=args.img_size, seed=args.seed)
    except ValueError as err:
        console.print(f'[bold red]error:[/] {err}')
        return 1
    stats = {split: summarize_hoia(recs) for split, recs in splits.items()}
    table = Table(title=f'toy HOI set in {args.out} (seed {args.seed}, '
                  f'{time.time() - start:.1f} s)')
    table.add_column('count')
    for split in stats:
        table.add_column(split, justify='right')
    for key in ('images', 'boxes', 'person_boxes', 'hois', 'hois_no_object',
                'pairs'):
        table.add_row(key, *(str(s[key]) for s in stats.values()))
    for name in TOY_HOI_CLASSES_USED:
        table.add_row(f'  {name}',
                      *(str(s['per_verb'][name]) for s in stats.values()))
    console.print(table)
    return 0


if __name__ == '__main__':
    sys.exit(main())
