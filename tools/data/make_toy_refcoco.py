"""Generate the synthetic RefCOCO set (refer layout; see docs/datasets/refcoco.md).

Example::

    python tools/data/make_toy_refcoco.py --out data/toy_refcoco \\
        --num-train 200 --num-val 50 --seed 0

writes ``data/toy_refcoco/{instances.json, refs(unc).p}`` and
``data/toy_refcoco/train2014/*.png`` and prints per-split counts.
"""
import argparse
import collections
import sys
import time

from rich.console import Console
from rich.table import Table

from vltoolkit.datasets.toy import make_toy_refcoco


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Generate the synthetic RefCOCO set (coloured shapes, '
        'refs(unc).p + instances.json).')
    parser.add_argument('--out', default='data/toy_refcoco',
                        help='output folder (default: data/toy_refcoco)')
    parser.add_argument('--num-train', type=int, default=200,
                        help='training images (default: 200)')
    parser.add_argument('--num-val', type=int, default=50,
                        help='validation images (default: 50)')
    parser.add_argument('--img-size', type=int, default=96,
                        help='square image side in pixels (>= 48)')
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args(argv)


def summarize(result):
    """Per split: images, refs, expressions, distinct expressions."""
    stats = collections.OrderedDict(
        (s, collections.Counter()) for s in ('train', 'val'))
    images = collections.defaultdict(set)
    texts = collections.defaultdict(set)
    for ref in result['refs']:
        st = stats.setdefault(ref['split'], collections.Counter())
        images[ref['split']].add(ref['image_id'])
        st['refs'] += 1
        st['expressions'] += len(ref['sentences'])
        texts[ref['split']].update(s['sent'] for s in ref['sentences'])
    for split, st in stats.items():
        st['images'] = len(images[split])
        st['distinct expressions'] = len(texts[split])
    return stats


def main(argv=None):
    args = parse_args(argv)
    console = Console(stderr=True)
    start = time.time()
    try:
        with console.status(f'drawing {args.num_train} + {args.num_val} '
                            f'scenes into {args.out} ...'):
            result = make_toy_refcoco(args.out, num_train=args.num_train,
                                      num_val=args.num_val,
                                      img_size=args.img_size, seed=args.seed)
    except ValueError as err:
        console.print(f'[bold red]error:[/] {err}')
        return 1
    stats = summarize(result)
    table = Table(title=f'toy RefCOCO set in {args.out} (seed {args.seed}, '
                  f'{time.time() - start:.1f} s)')
    table.add_column('count')
    for split in stats:
        table.add_column(split, justify='right')
    for key in ('images', 'refs', 'expressions', 'distinct expressions'):
        table.add_row(key, *(str(s[key]) for s in stats.values()))
    table.caption = (f'{len(result["instances"]["annotations"])} shapes '
                     'annotated in instances.json')
    console.print(table)
    return 0


if __name__ == '__main__':
    sys.exit(main())
