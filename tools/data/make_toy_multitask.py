"""Generate the synthetic captioning / region captioning / categorization set.

Example::

    python tools/data/make_toy_multitask.py --out data/toy_multitask \\
        --num-train 200 --num-val 50 --seed 0

writes ``data/toy_multitask/images/{train,val}/*.png`` and, per split,
``annotations/captions_<split>.json`` (COCO captions),
``annotations/instances_<split>.json`` (COCO instances),
``annotations/region_descriptions_<split>.json`` and
``annotations/image_data_<split>.json`` (Visual Genome v1.2), then prints
per-split counts. See docs/tasks.md.
"""
import argparse
import sys
import time

from rich.console import Console
from rich.table import Table

from vltoolkit.datasets.toy import make_toy_regions


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Generate the synthetic multi-task set (coloured shapes: '
        'COCO captions, COCO instances, Visual Genome region descriptions).')
    parser.add_argument('--out', default='data/toy_multitask',
                        help='output folder (default: data/toy_multitask)')
    parser.add_argument('--num-train', type=int, default=200,
                        help='training images (default: 200)')
    parser.add_argument('--num-val', type=int, default=50,
                        help='validation images (default: 50)')
    parser.add_argument('--img-size', type=int, default=96,
                        help='square image side in pixels (>= 48)')
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args(argv)


def summarize(result):
    """Per split: images, captions, regions, objects, distinct texts."""
    stats = {}
    for split, out in result.items():
        caps = [a['caption'] for a in out['captions']['annotations']]
        phrases = [r['phrase'] for e in out['regions'] for r in e['regions']]
        stats[split] = {
            'images': len(out['captions']['images']),
            'captions': len(caps),
            'distinct captions': len(set(caps)),
            'regions': len(phrases),
            'distinct region phrases': len(set(phrases)),
            'objects': len(out['instances']['annotations']),
        }
    return stats


def main(argv=None):
    args = parse_args(argv)
    console = Console(stderr=True)
    start = time.time()
    try:
        with console.status(f'drawing {args.num_train} + {args.num_val} '
                            f'scenes into {args.out} ...'):
            result = make_toy_regions(args.out, num_train=args.num_train,
                                      num_val=args.num_val,
                                      img_size=args.img_size, seed=args.seed)
    except ValueError as err:
        console.print(f'[bold red]error:[/] {err}')
        return 1
    stats = summarize(result)
    table = Table(title=f'toy multi-task set in {args.out} (seed {args.seed}, '
                  f'{time.time() - start:.1f} s)')
    table.add_column('count')
    for split in stats:
        table.add_column(split, justify='right')
    for key in next(iter(stats.values())):
        table.add_row(key, *(str(s[key]) for s in stats.values()))
    console.print(table)
    return 0


if __name__ == '__main__':
    sys.exit(main())
