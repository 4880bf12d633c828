"""Where tools write: relative output paths live under the run's work dir.

``tools/test.py --out preds.pkl --show-dir vis`` writes
``<work_dir>/preds.pkl`` and ``<work_dir>/vis/``; ``plot_curves.py WORK_DIR
--out curves.png`` writes ``WORK_DIR/curves.png``. An absolute path is
used as given, so nothing a tool writes by default lands in the repository
(``work_dirs/`` and ``data/`` are git-ignored).
"""

import json
import os.path as osp
from typing import Optional, Sequence


def under_work_dir(path: Optional[str], work_dir: str) -> Optional[str]:
    """``path`` if absolute (or None), else ``work_dir/path``."""
    if path is None or osp.isabs(path):
        return path
    return osp.join(work_dir, path)


def common_work_dir(work_dirs: Sequence[str]) -> str:
    """The folder that holds every run of ``work_dirs`` (the run itself for
    one; their deepest common parent for several)."""
    if not work_dirs:
        raise ValueError('no work dirs given')
    return osp.commonpath([osp.normpath(d) for d in work_dirs])


def refuse_existing(path: Optional[str], option: str, overwrite: bool = False) -> None:
    """Raise ``FileExistsError`` when ``path`` exists and ``overwrite`` is
    not set (``tools/test.py --out``)."""
    if path is not None and osp.exists(path) and not overwrite:
        raise FileExistsError(
            f'{option} {path} already exists (an earlier dump?): pass --overwrite to '
            f'replace it, or give another {option}'
        )


def _same_file(a: str, b: str) -> bool:
    return osp.realpath(a) == osp.realpath(b)


def infer_output_stem(image: str, out_dir: str, suffixes=('.png', '.json')) -> str:
    """Where ``tools/infer.py`` writes ``{stem}.png`` / ``{stem}.json`` for
    ``image``: never onto the input (refused, ``ValueError``), and never
    over the outputs of another input with the same stem (``a/x.jpg`` and
    ``b/x.jpg``): those get ``x_2``, ``x_3``, ... (the ``.json`` records
    which image each belongs to). A rerun on the same image replaces its
    own outputs."""
    name = osp.splitext(osp.basename(image))[0]
    for n in range(1, 10_000):
        stem = osp.join(out_dir, name if n == 1 else f'{name}_{n}')
        outputs = [stem + s for s in suffixes]
        onto_input = [p for p in outputs if _same_file(p, image)]
        if onto_input:
            raise ValueError(
                f'--out-dir {out_dir}: the output {onto_input[0]} would overwrite the '
                'input image; give another --out-dir'
            )
        record = stem + '.json'
        if not any(osp.exists(p) for p in outputs):
            return stem
        try:
            with open(record) as f:
                owner = json.load(f).get('image')
        except (OSError, ValueError, AttributeError):
            owner = None
        if owner is not None and _same_file(owner, image):
            return stem  # this image's own earlier outputs
    raise RuntimeError(f'{out_dir}: too many outputs named {name}_N')  # pragma: no cover
