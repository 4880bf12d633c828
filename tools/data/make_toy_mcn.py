"""Generate the synthetic video / audio / text feature set of MCN (seed 001).

Example::

    python tools/data/make_toy_mcn.py --out data/toy_mcn --seed 0

writes a HowTo100M-style training set (``train.csv``, ``features/``,
``features_audio/``, ``caption.pickle``), the YouCook2- and MSR-VTT-layout
evaluation pickles (``youcook_val.pkl``, ``msrvtt_test.pkl``) and
``word_vectors.txt`` (see ``docs/retrieval.md``), and prints the counts.
"""
import argparse
import sys
import time

from rich.console import Console
from rich.table import Table

from vltoolkit.datasets.toy import make_toy_mcn


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Generate the synthetic V/A/T feature set (MCN formats).')
    parser.add_argument('--out', default='data/toy_mcn',
                        help='output folder (default: data/toy_mcn)')
    parser.add_argument('--num-train-videos', type=int, default=100)
    parser.add_argument('--segments-per-video', type=int, default=8)
    parser.add_argument('--num-eval', type=int, default=200,
                        help='clips in each evaluation pickle')
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    console = Console(stderr=True)
    start = time.time()
    try:
        with console.status(f'writing features into {args.out} ...'):
            counts = make_toy_mcn(args.out, num_train_videos=args.num_train_videos,
                                  segments_per_video=args.segments_per_video,
                                  num_eval=args.num_eval, seed=args.seed)
    except ValueError as err:
        console.print(f'[bold red]error:[/] {err}')
        return 1
    table = Table(title=f'toy MCN features in {args.out} (seed {args.seed}, '
                  f'{time.time() - start:.1f} s)')
    table.add_column('count')
    table.add_column('value', justify='right')
    for key, value in counts.items():
        table.add_row(key, str(value))
    console.print(table)
    return 0


if __name__ == '__main__':
    sys.exit(main())
