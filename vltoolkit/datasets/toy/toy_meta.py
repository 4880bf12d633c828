"""What a toy set folder holds: ``toy_meta.json``, written beside the data.

``tools/data/make_toy.py`` records, in ``<out>/toy_meta.json``, the set, every
setting of its generator (the arguments given and the defaults it used), a
hash of the generator's source and hashes of the annotation files it wrote.
``tools/demo.py`` compares that record with the set it needs and regenerates
the folder when they differ (a docs page or a test may have written a smaller
set to the same folder), saying what differed.
"""

import hashlib
import inspect
import json
import os
import os.path as osp
from typing import Callable, Dict, Optional

META_FILE = 'toy_meta.json'
#: extensions of the annotation files whose hashes the record keeps
ANNOTATION_EXTS = ('.json', '.p', '.pkl', '.txt')


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            digest.update(chunk)
    return digest.hexdigest()


def generator_settings(generator: Callable, **given) -> dict:
    """Every keyword argument of ``generator`` (its defaults, updated by
    ``given``) except the output folder."""
    settings = {
        name: p.default
        for name, p in inspect.signature(generator).parameters.items()
        if p.default is not inspect.Parameter.empty
    }
    settings.update(given)
    return settings


def annotation_files(out_dir: str) -> list:
    """The annotation files of a toy folder (relative paths): files directly
    in it or in ``annotations/`` with an extension of :data:`ANNOTATION_EXTS`,
    the record itself excepted."""
    found = []
    for sub in ('', 'annotations'):
        folder = osp.join(out_dir, sub)
        if not osp.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            rel = osp.join(sub, name) if sub else name
            if (
                name != META_FILE
                and name.endswith(ANNOTATION_EXTS)
                and osp.isfile(osp.join(out_dir, rel))
            ):
                found.append(rel)
    return found


def toy_meta(set_name: str, generator: Callable, settings: dict) -> dict:
    """The record of a set made by ``generator(out_dir, **settings)``
    (without the file hashes: :func:`write_toy_meta` adds them)."""
    source = inspect.getsourcefile(generator)
    return {
        'set': set_name,
        'generator': f'{generator.__module__}.{generator.__qualname__}',
        'generator_sha256': _sha256(source),
        # through JSON, as read back: tuples become lists
        'settings': json.loads(json.dumps(generator_settings(generator, **settings))),
    }


def write_toy_meta(out_dir: str, meta: dict) -> str:
    """Write ``meta`` plus the hashes of the folder's annotation files to
    ``out_dir/toy_meta.json``; returns its path."""
    record = dict(
        meta, files={rel: _sha256(osp.join(out_dir, rel)) for rel in annotation_files(out_dir)}
    )
    path = osp.join(out_dir, META_FILE)
    with open(path, 'w') as f:
        json.dump(record, f, indent=1, sort_keys=True)
    return path


def read_toy_meta(out_dir: str) -> Optional[dict]:
    """The record in ``out_dir``, or None (no record, or unreadable)."""
    path = osp.join(out_dir, META_FILE)
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def toy_meta_mismatch(out_dir: str, wanted: dict) -> Optional[str]:
    """Why the folder does not hold the set ``wanted`` (a :func:`toy_meta`
    record), or None when it does: no record, another set or generator,
    other settings (each named with both values), or annotation files
    changed since the record was written."""
    found = read_toy_meta(out_dir)
    if found is None:
        return f'no {META_FILE} (made by an older version or by hand)'
    diffs = []
    for key in ('set', 'generator', 'generator_sha256'):
        if found.get(key) != wanted.get(key):
            label = 'generator source' if key == 'generator_sha256' else key
            diffs.append(f'{label} differs')
    have, want = found.get('settings') or {}, wanted.get('settings') or {}
    for key in sorted(set(have) | set(want)):
        if have.get(key) != want.get(key):
            diffs.append(f'{key}={have.get(key)!r}, wanted {want.get(key)!r}')
    files: Dict[str, str] = found.get('files') or {}
    if not files:
        diffs.append('no annotation files recorded')
    for rel, digest in sorted(files.items()):
        path = osp.join(out_dir, rel)
        if not osp.isfile(path):
            diffs.append(f'{rel} is missing')
        elif _sha256(path) != digest:
            diffs.append(f'{rel} changed since {META_FILE} was written')
    return '; '.join(diffs) or None
