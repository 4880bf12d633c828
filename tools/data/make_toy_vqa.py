"""Generate the synthetic VQA set (official VQA v2 layout; see docs/vqa.md).

Example::

    python tools/data/make_toy_vqa.py --out data/toy_vqa \\
        --num-train 1000 --num-val 200 --seed 0

writes ``data/toy_vqa/images/{train,val}/*.png`` and
``data/toy_vqa/annotations/{questions,annotations}_{train,val}.json`` and
the complete toy answer vocabulary ``data/toy_vqa/answers.json`` (12
answers, whatever the split sizes), and prints per-split counts. Real VQA v2
builds its vocabulary with ``tools/data/build_vqa_answers.py``.
"""
import argparse
import sys
import time
from collections import Counter

from rich.console import Console
from rich.table import Table

from vltoolkit.datasets.toy import make_toy_vqa


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Generate the synthetic VQA set (VQA v2 layout).')
    parser.add_argument('--out', default='data/toy_vqa',
                        help='output folder (default: data/toy_vqa)')
    parser.add_argument('--num-train', type=int, default=1000,
                        help='training images (2-4 questions each)')
    parser.add_argument('--num-val', type=int, default=200)
    parser.add_argument('--img-size', type=int, default=64,
                        help='square image side in pixels (>= 32)')
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    console = Console(stderr=True)
    start = time.time()
    try:
        splits = make_toy_vqa(args.out, num_train=args.num_train,
                              num_val=args.num_val, img_size=args.img_size,
                              seed=args.seed)
    except ValueError as err:
        console.print(f'[bold red]error:[/] {err}')
        return 1
    table = Table(title=f'toy VQA set in {args.out} (seed {args.seed}, '
                  f'{time.time() - start:.1f} s)')
    table.add_column('count')
    for split in splits:
        table.add_column(split, justify='right')
    types = {s: Counter(a['answer_type'] for a in d['annotations'])
             for s, d in splits.items()}
    table.add_row('images', str(args.num_train), str(args.num_val))
    table.add_row('questions', *(str(len(d['questions'])) for d in splits.values()))
    for atype in ('yes/no', 'number', 'other'):
        table.add_row(f'  {atype}', *(str(types[s][atype]) for s in splits))
    console.print(table)
    return 0


if __name__ == '__main__':
    sys.exit(main())
