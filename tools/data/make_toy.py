"""Generate a synthetic data set in its real format, one subcommand per set.

``python tools/data/make_toy.py SET [--out DIR] [--seed N] [options]``

==========  ====================================================  =======================
SET         what (format)                                          default ``--out``
==========  ====================================================  =======================
hoi         person-object scenes, V-COCO classes (HOIA json)       ``data/toy_hoi``
refcoco     coloured shapes + expressions (``refs(unc).p``)        ``data/toy_refcoco``
vqa         shape questions (VQA v2 questions / annotations)       ``data/toy_vqa``
mcn         video / audio / text features (HowTo100M, MCN pkl)     ``data/toy_mcn``
multitask   shapes: COCO captions / instances, VG regions          ``data/toy_multitask``
==========  ====================================================  =======================

Example: ``python tools/data/make_toy.py hoi --num-train 2400 --num-test 300``.
Each run prints per-split counts; ``SET --help`` lists a set's options. The
generators live in :mod:`vltoolkit.datasets.toy` (docs/datasets/, docs/vqa.md,
docs/retrieval.md, docs/tasks.md).
"""

import argparse
import collections
import sys
import time

from rich.console import Console
from rich.table import Table

from vltoolkit.datasets import toy
from vltoolkit.datasets.toy.toy_meta import toy_meta, write_toy_meta
from vltoolkit.datasets.vcoco_converter import summarize_hoia


def _generate(args, generator, **settings):
    """``generator(args.out, **settings)``, recorded in ``args.out/toy_meta.json``
    (the generator's settings and source hash, the annotation files' hashes:
    ``tools/demo.py`` regenerates a folder whose record differs from its set)."""
    result = generator(args.out, **settings)
    write_toy_meta(args.out, toy_meta(args.set, generator, settings))
    return result


def _split_table(stats: dict, keys) -> tuple:
    """``(columns, rows)`` of ``{split: {key: count}}``."""
    return list(stats), [(k, *(stats[s][k] for s in stats)) for k in keys]


# ------------------------------------------------------------------- hoi
def _hoi_args(p):
    # the defaults are the toy recipes' data (configs/_base_/datasets/hoi_toy.py)
    p.add_argument('--num-train', type=int, default=2400)
    p.add_argument('--num-test', type=int, default=300)
    p.add_argument('--img-size', type=int, default=64, help='image side (>= 64)')


def _hoi(args):
    splits = _generate(
        args,
        toy.make_toy_hoi,
        num_train=args.num_train,
        num_test=args.num_test,
        img_size=args.img_size,
        seed=args.seed,
    )
    stats = {split: summarize_hoia(recs) for split, recs in splits.items()}
    columns, rows = _split_table(
        stats, ('images', 'boxes', 'person_boxes', 'hois', 'hois_no_object', 'pairs')
    )
    rows += [
        (f'  {v}', *(s['per_verb'][v] for s in stats.values())) for v in toy.TOY_HOI_CLASSES_USED
    ]
    return columns, rows, None


# --------------------------------------------------------------- refcoco
def _shapes_args(p, num_train=200, min_size=48, num_val=50):
    p.add_argument('--num-train', type=int, default=num_train, help='training images')
    p.add_argument('--num-val', type=int, default=num_val, help='validation images')
    p.add_argument('--img-size', type=int, default=96, help=f'image side (>= {min_size})')


def _refcoco_args(p):
    # the defaults are the toy recipes' data (configs/_base_/datasets/refcoco_toy.py)
    _shapes_args(p, num_train=1000, num_val=200)


def _refcoco(args):
    result = _generate(
        args,
        toy.make_toy_refcoco,
        num_train=args.num_train,
        num_val=args.num_val,
        img_size=args.img_size,
        seed=args.seed,
    )
    stats = {s: collections.Counter() for s in ('train', 'val')}
    images, texts = collections.defaultdict(set), collections.defaultdict(set)
    for ref in result['refs']:
        st = stats.setdefault(ref['split'], collections.Counter())
        images[ref['split']].add(ref['image_id'])
        texts[ref['split']].update(s['sent'] for s in ref['sentences'])
        st['refs'] += 1
        st['expressions'] += len(ref['sentences'])
    for split, st in stats.items():
        st['images'], st['distinct expressions'] = len(images[split]), len(texts[split])
    columns, rows = _split_table(stats, ('images', 'refs', 'expressions', 'distinct expressions'))
    return (
        columns,
        rows,
        (f'{len(result["instances"]["annotations"])} shapes annotated in instances.json'),
    )


# ------------------------------------------------------------------- vqa
def _vqa_args(p):
    p.add_argument(
        '--num-train', type=int, default=1000, help='training images (2-4 questions each)'
    )
    p.add_argument('--num-val', type=int, default=200)
    p.add_argument('--img-size', type=int, default=64, help='image side (>= 32)')


def _vqa(args):
    splits = _generate(
        args,
        toy.make_toy_vqa,
        num_train=args.num_train,
        num_val=args.num_val,
        img_size=args.img_size,
        seed=args.seed,
    )
    types = {
        s: collections.Counter(a['answer_type'] for a in d['annotations'])
        for s, d in splits.items()
    }
    rows = [
        ('images', args.num_train, args.num_val),
        ('questions', *(len(d['questions']) for d in splits.values())),
    ]
    rows += [(f'  {t}', *(types[s][t] for s in splits)) for t in ('yes/no', 'number', 'other')]
    return list(splits), rows, None


# ------------------------------------------------------------------- mcn
def _mcn_args(p):
    p.add_argument('--num-train-videos', type=int, default=100)
    p.add_argument('--segments-per-video', type=int, default=8)
    p.add_argument('--num-eval', type=int, default=200, help='clips in each evaluation pickle')


def _mcn(args):
    counts = _generate(
        args,
        toy.make_toy_mcn,
        num_train_videos=args.num_train_videos,
        segments_per_video=args.segments_per_video,
        num_eval=args.num_eval,
        seed=args.seed,
    )
    return ['value'], list(counts.items()), None


# ------------------------------------------------------------- multitask
def _multitask(args):
    result = _generate(
        args,
        toy.make_toy_regions,
        num_train=args.num_train,
        num_val=args.num_val,
        img_size=args.img_size,
        seed=args.seed,
    )
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
    columns, rows = _split_table(stats, next(iter(stats.values())))
    return columns, rows, None


#: set -> (its name in the summary, description, add its options, make and summarise it)
SETS = {
    'hoi': ('HOI set', 'person-object scenes with V-COCO classes (HOIA format)', _hoi_args, _hoi),
    'refcoco': (
        'RefCOCO set',
        'coloured shapes and referring expressions (refs(unc).p + instances.json)',
        _refcoco_args,
        _refcoco,
    ),
    'vqa': ('VQA set', 'questions about shapes (VQA v2 layout)', _vqa_args, _vqa),
    'mcn': ('MCN features', 'video / audio / text features (MCN formats)', _mcn_args, _mcn),
    'multitask': (
        'multi-task set',
        'coloured shapes: COCO captions, COCO instances, Visual Genome region descriptions',
        _shapes_args,
        _multitask,
    ),
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = parser.add_subparsers(dest='set', required=True, metavar='SET', help=', '.join(SETS))
    for name, (_, description, add_args, _) in SETS.items():
        p = sub.add_parser(
            name, help=description, description=f'Generate the toy {name} set: {description}.'
        )
        p.add_argument(
            '--out', default=f'data/toy_{name}', help=f'output folder (default: data/toy_{name})'
        )
        p.add_argument('--seed', type=int, default=0)
        add_args(p)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    console = Console(stderr=True)
    start = time.time()
    try:
        title, _, _, make = SETS[args.set]
        # the generators show their progress (vltoolkit.utils.progress)
        columns, rows, caption = make(args)
    except ValueError as err:
        console.print(f'[bold red]error:[/] {err}')
        return 1
    table = Table(
        title=f'toy {title} in {args.out} (seed {args.seed}, {time.time() - start:.1f} s)',
        caption=caption,
    )
    table.add_column('count')
    for column in columns:
        table.add_column(str(column), justify='right')
    for row in rows:
        table.add_row(*(str(v) for v in row))
    console.print(table)
    return 0


if __name__ == '__main__':
    sys.exit(main())
