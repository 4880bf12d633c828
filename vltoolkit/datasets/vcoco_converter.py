"""Convert the official V-COCO release into the toolkit's HOI (HOIA) file.

The toolkit's HOI annotation file is QPIC's HOIA format: a JSON list with one
dict per image::

    {"file_name": "COCO_train2014_000000001298.jpg",
     "annotations": [{"bbox": [x1, y1, x2, y2], "category_id": 1}, ...],
     "hoi_annotation": [{"subject_id": 0, "object_id": 3, "category_id": 0},
                        ...],
     "width": 640, "height": 480}        # optional, added by this toolkit

``bbox`` is in pixels (``x2 = x + w``, no +1), ``category_id`` is the COCO id
(1..90), ``subject_id``/``object_id`` index ``annotations`` (``object_id =
-1``: no object), and the hoi ``category_id`` is the verb index 0..28 of
:data:`~vltoolkit.datasets.vcoco_meta.VCOCO_CLASSES`.

:func:`convert_vcoco` reproduces QPIC's converter
(``hitachi-rd-cv/qpic:convert_vcoco_annotations.py``, ``set_hoi``) record
for record, entry for entry: with ``add_size=False`` and
``image_prefix=''`` the JSON it gives equals QPIC's. Differences, all on
inputs the official release does not contain: verb indices come from the
class *names* (``<action>_<role>``) looked up in the fixed QPIC order, not
from the order of the file at hand; an image listed in the ids file but with
no V-COCO row gets an empty-HOI record at the end (QPIC would drop it); and
every inconsistency raises :class:`VCOCOFormatError` naming what is wrong
instead of an ``IndexError``/``ValueError`` deep inside the loop.
"""

import os
import os.path as osp
from collections import Counter

import numpy as np

from .annotation_io import load_json_file
from .vcoco_meta import (
    COCO_ID_TO_CONTIGUOUS,
    COCO_ID_TO_NAME,
    COCO_PERSON_ID,
    VCOCO_CLASSES,
    correspondence_matrix,
)

__all__ = [
    'VCOCOFormatError',
    'convert_vcoco',
    'load_vcoco_actions',
    'load_coco_boxes',
    'check_hoia_records',
    'summarize_hoia',
]

VCOCO_HOWTO = (
    'Get it from the V-COCO repository (git clone '
    'https://github.com/s-gupta/v-coco): the annotations are '
    'data/vcoco/vcoco_<split>.json and the splits '
    'data/splits/vcoco_<split>.ids.'
)
COCO_HOWTO = (
    'Build it with the V-COCO repository: download the COCO 2014 '
    'annotations (annotations_trainval2014.zip from '
    'https://cocodataset.org), then run `python '
    'script_pick_annotations.py <coco>/annotations` in the v-coco '
    'repo, which writes data/instances_vcoco_all_2014.json.'
)

_ACTION_KEYS = ('action_name', 'role_name', 'image_id', 'ann_id', 'label', 'role_object_id')


class VCOCOFormatError(ValueError):
    """The V-COCO or COCO input does not have the expected content."""


def _require_file(path, what, howto):
    if not osp.isfile(path):
        raise FileNotFoundError(f'{what} not found: {path}. {howto}')


def _load_json(path, what, howto):
    _require_file(path, what, howto)
    try:
        return load_json_file(path, what)
    except ValueError as err:
        raise VCOCOFormatError(str(err)) from None


def load_vcoco_actions(vcoco_json):
    """Read and check an official ``vcoco_<split>.json``.

    Args:
        vcoco_json (str | os.PathLike | list): the file, or its loaded list.

    Returns:
        list[dict]: per action ``action_name``, ``role_name`` (list),
        ``image_id``, ``ann_id``, ``label`` (lists of N ints) and
        ``role_object_id`` as an (N, R) int64 array (the official role-major
        layout reshaped with ``np.array(x).reshape(R, N).T``).

    Raises:
        FileNotFoundError: the file does not exist.
        VCOCOFormatError: an entry lacks a key or has inconsistent lengths
            (the message names the action index and the key).
    """
    if isinstance(vcoco_json, (str, os.PathLike)):
        data = _load_json(vcoco_json, 'V-COCO annotation file', VCOCO_HOWTO)
    else:
        data = vcoco_json
    if not isinstance(data, list):
        raise VCOCOFormatError(
            'a V-COCO annotation file must hold a list with one dict per '
            f'action, got {type(data).__name__}'
        )
    actions = []
    for idx, entry in enumerate(data):
        if not isinstance(entry, dict):
            raise VCOCOFormatError(
                f'V-COCO action entry {idx} is a {type(entry).__name__}, not a dict'
            )
        name = entry.get('action_name', f'<unnamed action {idx}>')
        for key in _ACTION_KEYS:
            if key not in entry:
                raise VCOCOFormatError(
                    f'V-COCO action entry {idx} ({name!r}) has no key '
                    f'{key!r}; every entry needs {list(_ACTION_KEYS)}'
                )
        roles = list(entry['role_name'])
        if not roles or roles[0] != 'agent':
            raise VCOCOFormatError(
                f'V-COCO action entry {idx} ({name!r}): role_name must start '
                f"with 'agent', got {roles}"
            )
        n = len(entry['image_id'])
        for key in ('ann_id', 'label'):
            if len(entry[key]) != n:
                raise VCOCOFormatError(
                    f'V-COCO action entry {idx} ({name!r}): {key!r} has '
                    f"{len(entry[key])} values but 'image_id' has {n}"
                )
        if len(entry['role_object_id']) != n * len(roles):
            raise VCOCOFormatError(
                f'V-COCO action entry {idx} ({name!r}): role_object_id has '
                f"{len(entry['role_object_id'])} values, expected "
                f'N*R = {n}*{len(roles)} (role-major layout)'
            )
        for role in roles[1:]:
            cls = f'{name}_{role}'
            if cls not in VCOCO_CLASSES:
                raise VCOCOFormatError(
                    f'V-COCO action entry {idx}: unknown action-role '
                    f'{cls!r} (not one of the 29 V-COCO classes)'
                )
        if len(roles) == 1 and name not in VCOCO_CLASSES:
            raise VCOCOFormatError(
                f'V-COCO action entry {idx}: unknown agent-only action '
                f'{name!r} (not one of the 29 V-COCO classes)'
            )
        role_ids = np.asarray(entry['role_object_id'], dtype=np.int64)
        actions.append(
            dict(
                action_name=name,
                role_name=roles,
                image_id=[int(x) for x in entry['image_id']],
                ann_id=[int(x) for x in entry['ann_id']],
                label=[int(x) for x in entry['label']],
                role_object_id=role_ids.reshape(len(roles), n).T,
            )
        )
    return actions


def load_coco_boxes(coco_instances_json):
    """Index a COCO instances file by image, as QPIC does.

    Args:
        coco_instances_json (str | os.PathLike | dict): the file (for V-COCO,
            ``instances_vcoco_all_2014.json``) or its loaded dict.

    Returns:
        dict: image id -> ``{'file_name', 'width', 'height',
        'annotations': [{'category_id', 'bbox': xyxy}], 'annotation_ids'}``,
        annotations in the order of the file's ``annotations`` list.
    """
    if isinstance(coco_instances_json, (str, os.PathLike)):
        coco = _load_json(coco_instances_json, 'COCO instances file', COCO_HOWTO)
    else:
        coco = coco_instances_json
    for key in ('images', 'annotations'):
        if not isinstance(coco, dict) or key not in coco:
            raise VCOCOFormatError(
                f'the COCO instances file has no {key!r} list; expected a '
                'COCO instances JSON such as instances_vcoco_all_2014.json'
            )
    images = {}
    for img in coco['images']:
        images[img['id']] = dict(
            file_name=img['file_name'],
            width=img.get('width'),
            height=img.get('height'),
            annotations=[],
            annotation_ids=[],
        )
    for ann in coco['annotations']:
        img = images.get(ann['image_id'])
        if img is None:
            continue  # as QPIC: getAnnIds(imgIds=...) skips such anns
        box = np.array(ann['bbox'])  # exactly QPIC: keeps int/float types
        box[2:] += box[:2]
        img['annotations'].append({'category_id': ann['category_id'], 'bbox': box.tolist()})
        img['annotation_ids'].append(ann['id'])
    return images


def convert_vcoco(
    vcoco_json, ids_file, coco_instances_json, image_prefix='', add_size=True, progress=None
):
    """Convert one split of the official V-COCO release into HOIA records.

    Follows QPIC's ``convert_vcoco_annotations.py``: one record per image of
    the split (in order of first appearance in the V-COCO rows), including
    images without a positive HOI; ``annotations`` are *all* COCO anns of the
    image in COCO file order with ``x2 = x + w, y2 = y + h``; for each action
    and each person row with a non-zero label, an agent-only action gives
    ``(subject, -1, verb)`` and any other action one entry per role, with
    ``object_id = -1`` where the role id is 0. Rows with label 0 give
    nothing.

    Args:
        vcoco_json (str | os.PathLike | list):
            ``data/vcoco/vcoco_<split>.json`` (or its loaded list).
        ids_file (str | os.PathLike | None): ``data/splits/vcoco_<split>.ids``.
            Every V-COCO image must be listed there; listed images without a
            V-COCO row get an empty-HOI record at the end. ``None`` skips
            this check.
        coco_instances_json (str | os.PathLike | dict):
            ``instances_vcoco_all_2014.json`` (or any COCO instances file
            holding the split's images).
        image_prefix (str): joined before each COCO ``file_name`` (``''``
            keeps QPIC's bare file names).
        add_size (bool): add ``width``/``height`` from COCO ``images[]``.
        progress (callable, optional): ``progress(iterable, description,
            total) -> iterable`` (e.g. ``rich.progress.track``-like) to show
            progress over the 26 actions.

    Returns:
        list[dict]: the HOIA records.

    Raises:
        FileNotFoundError: an input file is missing (the message says how to
            get it).
        VCOCOFormatError: malformed action entries, an image or ``ann_id``
            used by V-COCO that the COCO file lacks, or images missing from
            the ids file.
    """
    actions = load_vcoco_actions(vcoco_json)
    split_ids = None
    if ids_file is not None:
        _require_file(ids_file, 'V-COCO split ids file', VCOCO_HOWTO)
        split_ids = [int(x) for x in np.loadtxt(ids_file, ndmin=1)]
    boxes = load_coco_boxes(coco_instances_json)

    records = {}
    index_cache = {}

    def record_of(img_id, action):
        rec = records.get(img_id)
        if rec is None:
            info = boxes.get(img_id)
            if info is None:
                user = f'used by V-COCO action {action!r}' if action else f'listed in {ids_file}'
                raise VCOCOFormatError(
                    f'image {img_id} ({user}) is not in the COCO instances file. ' + COCO_HOWTO
                )
            # QPIC's key order: annotations, hoi_annotation, file_name
            rec = {'annotations': info['annotations'], 'hoi_annotation': []}
            rec['file_name'] = _join(image_prefix, info['file_name'])
            if add_size:
                rec['width'] = info['width']
                rec['height'] = info['height']
            records[img_id] = rec
            index_cache[img_id] = {
                a: i for i, a in reversed(list(enumerate(info['annotation_ids'])))
            }
        return rec

    def ann_index(img_id, ann_id, action, role):
        idx = index_cache[img_id].get(ann_id)
        if idx is None:
            raise VCOCOFormatError(
                f'V-COCO action {action!r} ({role}) refers to COCO annotation '
                f'{ann_id} of image {img_id}, but the COCO instances file has '
                'no such annotation for that image. Use '
                'instances_vcoco_all_2014.json built by the v-coco repo. ' + COCO_HOWTO
            )
        return idx

    iterable = actions
    if progress is not None:
        iterable = progress(actions, 'V-COCO actions', len(actions))
    for action in iterable:
        name, roles = action['action_name'], action['role_name']
        for label, img_id, role_ids in zip(
            action['label'], action['image_id'], action['role_object_id']
        ):
            rec = record_of(img_id, name)
            if label == 0:
                continue
            subject_id = ann_index(img_id, int(role_ids[0]), name, 'agent')
            hois = rec['hoi_annotation']
            if len(role_ids) == 1:
                hois.append(
                    {
                        'subject_id': subject_id,
                        'object_id': -1,
                        'category_id': VCOCO_CLASSES.index(name),
                    }
                )
                continue
            for role, role_id in zip(roles[1:], role_ids[1:]):
                object_id = -1 if role_id == 0 else ann_index(img_id, int(role_id), name, role)
                hois.append(
                    {
                        'subject_id': subject_id,
                        'object_id': object_id,
                        'category_id': VCOCO_CLASSES.index(f'{name}_{role}'),
                    }
                )

    if split_ids is not None:
        listed = set(split_ids)
        extra = [i for i in records if i not in listed]
        if extra:
            raise VCOCOFormatError(
                f'{len(extra)} image(s) of the V-COCO file are not in the '
                f'ids file {ids_file} (first: {extra[:5]}); are the '
                'annotation and ids files of the same split?'
            )
        for img_id in split_ids:
            if img_id not in records:
                record_of(img_id, None)
    return list(records.values())


def _join(prefix, file_name):
    if not prefix:
        return file_name
    return prefix.rstrip('/') + '/' + file_name


def check_hoia_records(
    records, num_verbs=len(VCOCO_CLASSES), check_correspondence=True, check_inside=False
):
    """Check HOIA records and raise ``ValueError`` on the first problem.

    Checks: required keys; boxes have 4 numbers with ``x2 >= x1, y2 >= y1``;
    category ids are COCO ids; subject ids index a person box; object ids
    are -1 or index a box; verb ids are in ``[0, num_verbs)``; with
    ``check_correspondence`` (V-COCO verbs only) the (verb, object category)
    pair is allowed by :func:`correspondence_matrix`; with ``check_inside``
    boxes lie inside ``[0, width] x [0, height]``.
    """
    corre = correspondence_matrix() if check_correspondence else None
    for r, rec in enumerate(records):
        where = f'record {r} ({rec.get("file_name")!r})'
        for key in ('file_name', 'annotations', 'hoi_annotation'):
            if key not in rec:
                raise ValueError(f'{where} has no {key!r}')
        anns = rec['annotations']
        for a, ann in enumerate(anns):
            box = ann['bbox']
            if len(box) != 4 or box[2] < box[0] or box[3] < box[1]:
                raise ValueError(f'{where}: box {a} {box} is not x1y1x2y2')
            if ann['category_id'] not in COCO_ID_TO_NAME:
                raise ValueError(
                    f'{where}: box {a} has category_id {ann["category_id"]}, not a COCO id'
                )
            if check_inside and not (
                0 <= box[0] and 0 <= box[1] and box[2] <= rec['width'] and box[3] <= rec['height']
            ):
                raise ValueError(
                    f'{where}: box {a} {box} leaves the {rec["width"]}x{rec["height"]} image'
                )
        for h, hoi in enumerate(rec['hoi_annotation']):
            sub, obj, verb = (hoi['subject_id'], hoi['object_id'], hoi['category_id'])
            if not 0 <= sub < len(anns):
                raise ValueError(
                    f'{where}: hoi {h} subject_id {sub} out of range ({len(anns)} boxes)'
                )
            if anns[sub]['category_id'] != COCO_PERSON_ID:
                raise ValueError(f'{where}: hoi {h} subject {sub} is not a person')
            if not -1 <= obj < len(anns):
                raise ValueError(
                    f'{where}: hoi {h} object_id {obj} out of range ({len(anns)} boxes)'
                )
            if not 0 <= verb < num_verbs:
                raise ValueError(f'{where}: hoi {h} verb {verb} out of range [0, {num_verbs})')
            if corre is not None and obj >= 0:
                label = COCO_ID_TO_CONTIGUOUS[anns[obj]['category_id']]
                if not corre[verb, label]:
                    raise ValueError(
                        f'{where}: hoi {h} pairs verb {VCOCO_CLASSES[verb]} '
                        'with object '
                        f'{COCO_ID_TO_NAME[anns[obj]["category_id"]]!r}, '
                        "which V-COCO's include list does not allow"
                    )


def summarize_hoia(records, classes=VCOCO_CLASSES):
    """Counts for a list of HOIA records.

    Returns:
        dict: ``images``, ``images_with_hoi``, ``boxes``, ``person_boxes``,
        ``persons_with_hoi`` (distinct subjects), ``hois``,
        ``hois_no_object`` (object_id -1), ``pairs`` (distinct (subject,
        object) pairs, object -1 included, as QPIC groups training targets)
        and ``per_verb`` (class name -> count, in class order).
    """
    stats = Counter()
    per_verb = Counter()
    for rec in records:
        hois = rec['hoi_annotation']
        stats['images'] += 1
        stats['images_with_hoi'] += bool(hois)
        stats['boxes'] += len(rec['annotations'])
        stats['person_boxes'] += sum(a['category_id'] == COCO_PERSON_ID for a in rec['annotations'])
        stats['persons_with_hoi'] += len({h['subject_id'] for h in hois})
        stats['hois'] += len(hois)
        stats['hois_no_object'] += sum(h['object_id'] == -1 for h in hois)
        stats['pairs'] += len({(h['subject_id'], h['object_id']) for h in hois})
        per_verb.update(h['category_id'] for h in hois)
    keys = (
        'images',
        'images_with_hoi',
        'boxes',
        'person_boxes',
        'persons_with_hoi',
        'hois',
        'hois_no_object',
        'pairs',
    )
    out = {k: stats[k] for k in keys}
    out['per_verb'] = {c: per_verb[i] for i, c in enumerate(classes)}
    return out
