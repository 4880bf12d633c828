"""Add ``width`` / ``height`` to the image records of an annotation file
that lack them, read from the image headers (nothing is decoded).

``LoadImage`` then checks every decoded image against its record, so an
image of another size (a thumbnail, a 2x export, another file under the
same name) stops the run instead of shifting every box. QPIC's HOIA files
(``trainval_vcoco.json``, ``test_vcoco.json``) have no sizes::

    python tools/data/add_image_sizes.py data/vcoco/annotations/trainval_vcoco.json \\
        --img-dir data/vcoco/images/train2014 \\
        --out data/vcoco/annotations/trainval_vcoco.json

Run it once, on the images the annotations were made for. Records that have
a size are checked against their image. Missing or unreadable images and
sizes that differ are listed and nothing is written (exit code 1). The file
is written atomically (a temporary file renamed onto ``--out``), so
``--out`` may be the input.
"""

import argparse
import json
import os
import os.path as osp
import sys
import tempfile

from rich.console import Console

from vltoolkit.datasets.annotation_io import load_json_file
from vltoolkit.datasets.image_sizes import add_image_sizes
from vltoolkit.utils.progress import track


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Add width / height from the image headers to the image records of an '
        'annotation file (HOIA list or COCO-style dict) that lack them.'
    )
    parser.add_argument('ann_file', help='the annotation file (JSON)')
    parser.add_argument(
        '--img-dir', required=True, help='the folder the file_name of each record is relative to'
    )
    parser.add_argument('--out', required=True, help='the output file (may be ann_file)')
    return parser.parse_args(argv)


def _write_atomically(data, path):
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f'.{osp.basename(path)}.tmp-', dir=folder)
    try:
        with os.fdopen(fd, 'w') as f:
            json.dump(data, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise


def _listed(items, limit=5):
    shown = ', '.join(f'record {i} ({name})' for i, name, *_ in items[:limit])
    return shown + (f' and {len(items) - limit} more' if len(items) > limit else '')


def main(argv=None):
    args = parse_args(argv)
    console = Console(stderr=True)
    try:
        data = load_json_file(args.ann_file, 'annotation file', allow_empty=False)
        report = add_image_sizes(
            data, args.img_dir, args.ann_file, lambda it, total, desc: track(it, total, desc)
        )
    except (FileNotFoundError, ValueError) as err:  # ImageSizeError is a ValueError
        console.print(f'[bold red]error:[/] {err}')
        return 1
    _write_atomically(data, args.out)
    console.print(
        f'{args.out}: width / height added to {report["added"]} image record(s); '
        f'{report["checked"]} record(s) already had them and match their image.'
    )
    if report['turned']:
        console.print(
            f'[yellow]warning:[/] {len(report["turned"])} image(s) carry an EXIF orientation '
            f'tag that turns them by 90 degrees when decoded: {_listed(report["turned"])}. '
            'LoadImage refuses these samples (the boxes are in the stored frame); re-save '
            'them without the tag (e.g. `mogrify -auto-orient`) and fix their boxes.'
        )
    if report['outside']:
        console.print(
            f'[yellow]warning:[/] {len(report["outside"])} record(s) have boxes leaving their '
            f'image: {_listed(report["outside"])}. Such an image is probably not the one '
            'the boxes were drawn on (another resolution or file); check them.'
        )
    return 0


if __name__ == '__main__':
    sys.exit(main())
