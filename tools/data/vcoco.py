"""Convert the official V-COCO release into the toolkit's HOI (QPIC HOIA) file.

Example (QPIC's trainval_vcoco.json / test_vcoco.json)::

    python tools/data/vcoco.py --vcoco-dir v-coco \\
        --coco-ann v-coco/data/instances_vcoco_all_2014.json \\
        --split trainval --out data/vcoco/annotations/trainval_vcoco.json
    python tools/data/vcoco.py --vcoco-dir v-coco \\
        --coco-ann v-coco/data/instances_vcoco_all_2014.json \\
        --split test --out data/vcoco/annotations/test_vcoco.json

``--vcoco-dir`` is the v-coco repository (``data/vcoco/vcoco_<split>.json``
and ``data/splits/vcoco_<split>.ids``), its ``data`` folder, or a folder that
holds both files directly. ``instances_vcoco_all_2014.json`` is built by the
v-coco repo's ``script_pick_annotations.py`` (see docs/datasets/hoi.md).
"""

import argparse
import json
import os
import os.path as osp
import sys

from rich.console import Console
from rich.table import Table

from vltoolkit.datasets.vcoco_converter import VCOCO_HOWTO, convert_vcoco, summarize_hoia
from vltoolkit.utils.progress import track

SPLITS = ('train', 'val', 'test', 'trainval')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Convert official V-COCO annotations into the HOIA '
        'format (QPIC trainval_vcoco.json / test_vcoco.json layout).'
    )
    parser.add_argument(
        '--vcoco-dir', required=True, help='the v-coco repository (or its data/ folder)'
    )
    parser.add_argument(
        '--coco-ann',
        required=True,
        help='COCO instances file with the V-COCO images, '
        'normally data/instances_vcoco_all_2014.json',
    )
    parser.add_argument('--split', required=True, choices=SPLITS)
    parser.add_argument('--out', required=True, help='output JSON file')
    parser.add_argument(
        '--image-prefix',
        default='',
        help="prefix joined before each file_name (default '': bare COCO file names, as QPIC)",
    )
    parser.add_argument(
        '--no-size',
        action='store_true',
        help='do not add width/height (gives exactly QPIC\'s records)',
    )
    return parser.parse_args(argv)


def find_split_files(vcoco_dir, split):
    """Locate ``vcoco_<split>.json`` and ``vcoco_<split>.ids``."""
    name_json, name_ids = f'vcoco_{split}.json', f'vcoco_{split}.ids'
    json_candidates = [
        osp.join(vcoco_dir, 'data', 'vcoco', name_json),
        osp.join(vcoco_dir, 'vcoco', name_json),
        osp.join(vcoco_dir, name_json),
    ]
    ids_candidates = [
        osp.join(vcoco_dir, 'data', 'splits', name_ids),
        osp.join(vcoco_dir, 'splits', name_ids),
        osp.join(vcoco_dir, name_ids),
    ]
    found = []
    for what, candidates in (('annotation', json_candidates), ('split ids', ids_candidates)):
        hit = next((p for p in candidates if osp.isfile(p)), None)
        if hit is None:
            raise FileNotFoundError(
                f'V-COCO {what} file for split {split!r} not found; tried '
                + ', '.join(candidates)
                + '. '
                + VCOCO_HOWTO
            )
        found.append(hit)
    return tuple(found)


def main(argv=None):
    args = parse_args(argv)
    console = Console(stderr=True)
    try:
        vcoco_json, ids_file = find_split_files(args.vcoco_dir, args.split)
        records = convert_vcoco(
            vcoco_json,
            ids_file,
            args.coco_ann,
            image_prefix=args.image_prefix,
            add_size=not args.no_size,
            progress=lambda it, desc, total: track(it, total, desc),
        )
    except (FileNotFoundError, ValueError) as err:
        console.print(f'[bold red]error:[/] {err}')
        return 1
    out_dir = osp.dirname(osp.abspath(args.out))
    os.makedirs(out_dir, exist_ok=True)
    with open(args.out, 'w') as f:
        json.dump(records, f)

    stats = summarize_hoia(records)
    table = Table(title=f'V-COCO {args.split} -> {args.out}')
    table.add_column('count')
    table.add_column('value', justify='right')
    for key in (
        'images',
        'images_with_hoi',
        'boxes',
        'person_boxes',
        'persons_with_hoi',
        'hois',
        'hois_no_object',
        'pairs',
    ):
        table.add_row(key, str(stats[key]))
    console.print(table)
    verbs = Table(title='HOIs per verb class')
    verbs.add_column('id', justify='right')
    verbs.add_column('class')
    verbs.add_column('HOIs', justify='right')
    for i, (name, n) in enumerate(stats['per_verb'].items()):
        verbs.add_row(str(i), name, str(n))
    console.print(verbs)
    return 0


if __name__ == '__main__':
    sys.exit(main())
