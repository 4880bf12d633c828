"""Referring expression comprehension over the original RefCOCO release.

The ``lichengunc/refer`` layout (``docs/datasets/refcoco.md``)::

    data/refcoco/instances.json   COCO instances (images, annotations, categories)
    data/refcoco/refs(unc).p      pickled list of refs (RefCOCO / RefCOCO+: unc,
                                  RefCOCOg: umd or google)
    data/refcoco/train2014/       the COCO train2014 images

A ref names one COCO annotation (``ann_id``) and holds the expressions that
describe it (``sentences``); its box is the annotation's ``bbox``.
"""

import contextlib
import io
import os.path as osp
import pickle
from typing import Sequence, Union

from mmengine.dataset import BaseDataset
from pycocotools.coco import COCO

from vltoolkit.registry import DATASETS
from vltoolkit.structures import xywh_to_xyxy

from .annotation_io import AnnotationError, check_box_area, load_json_file, refuse_duplicate
from .coco_caption import index_coco_images
from .image_sizes import warn_missing_sizes

#: The ``split`` values of the refer releases (refcoco / refcoco+ unc:
#: train, val, testA, testB; refcocog umd: train, val, test).
REFCOCO_SPLITS = ('train', 'val', 'test', 'testA', 'testB', 'testC')

_HOW_TO_GET = (
    'download the refer annotations (lichengunc/refer: data/refcoco.zip, '
    'refcoco+.zip, refcocog.zip hold instances.json and refs(unc).p / '
    'refs(umd).p) and unpack them into the data root, or generate the toy set '
    'with `python tools/data/make_toy.py refcoco --out data/toy_refcoco` '
    '(docs/datasets/refcoco.md)'
)

# (module, name) globals a refs pickle may name: builtin containers and
# scalars only. Python 2 pickles name the module `__builtin__`.
_SAFE_BUILTINS = frozenset(
    (
        'list',
        'dict',
        'tuple',
        'set',
        'frozenset',
        'str',
        'bytes',
        'bytearray',
        'int',
        'float',
        'bool',
        'complex',
        'unicode',
        'long',
    )
)
_BUILTIN_ALIASES = {'unicode': 'str', 'long': 'int'}


class _RefusedGlobal(pickle.UnpicklingError):
    """A pickle names a global that a refs file has no business holding."""


class _RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that builds only builtin containers and scalars.

    Plain lists / dicts / strings / numbers need no global at all; a global
    other than a builtin container type (a class, a function such as
    ``os.system``) is refused, so a hostile file cannot run code.
    """

    def find_class(self, module, name):
        if module in ('builtins', '__builtin__') and name in _SAFE_BUILTINS:
            import builtins

            return getattr(builtins, _BUILTIN_ALIASES.get(name, name))
        raise _RefusedGlobal(
            f'global {module}.{name} is not allowed: a refs file holds only '
            'lists, dicts, strings and numbers'
        )


def _to_text(obj):
    """Python 2 byte strings (``encoding='bytes'``) -> ``str``, recursively.

    Decoded as UTF-8, or Latin-1 where that fails, so that non-ASCII
    expressions written by Python 2 come back intact.
    """
    if isinstance(obj, bytes):
        try:
            return obj.decode('utf-8')
        except UnicodeDecodeError:
            return obj.decode('latin-1')
    if isinstance(obj, dict):
        return {_to_text(k): _to_text(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_text(v) for v in obj)
    return obj


def load_refs(path: str) -> list:
    """Load a ``refs(*).p`` file safely (Python 2 or 3 pickle).

    Only builtin containers and scalars are built (see
    :class:`_RestrictedUnpickler`); Python 2 byte strings become ``str``.

    Raises:
        FileNotFoundError: the file does not exist (says where to get it).
        ValueError: the file is not a pickle of a list, or names a
            disallowed global.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'refs file {path} does not exist: {_HOW_TO_GET}.')
    try:
        with open(path, 'rb') as f:
            refs = _RestrictedUnpickler(f, encoding='bytes').load()
    except _RefusedGlobal as err:
        raise ValueError(
            f'refs file {path} cannot be loaded safely: {err}; '
            'use the original refs(*).p of lichengunc/refer'
        ) from None
    except Exception as err:  # truncated file, not a pickle, ...
        raise ValueError(
            f'refs file {path} is not a readable pickle '
            f'({type(err).__name__}: {err}); re-download it '
            '(lichengunc/refer)'
        ) from None
    refs = _to_text(refs)
    if not isinstance(refs, list):
        raise ValueError(
            f'refs file {path} holds a {type(refs).__name__}, '
            'expected a list of ref dicts (lichengunc/refer '
            'layout)'
        )
    return refs


def load_coco_instances(path: str) -> COCO:
    """A pycocotools ``COCO`` index of an ``instances.json``, silently."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'instances file {path} does not exist: {_HOW_TO_GET}.')
    dataset = load_json_file(path, 'instances file')
    if not isinstance(dataset, dict) or 'annotations' not in dataset or 'images' not in dataset:
        raise ValueError(
            f'instances file {path} is not a COCO instances file '
            '(a dict with "images" and "annotations")'
        )
    index_coco_images(dataset, path, 'instances file')  # one record per image
    warn_missing_sizes(path, dataset['images'])
    coco = COCO()
    coco.dataset = dataset
    with contextlib.redirect_stdout(io.StringIO()):
        coco.createIndex()
    return coco


@DATASETS.register_module()
class RefCOCODataset(BaseDataset):
    """RefCOCO / RefCOCO+ / RefCOCOg: one sample per referring expression.

    Reads ``split_file`` (``refs(unc).p``; a pickled list of refs ``{ref_id,
    ann_id, image_id, split, sentences: [{sent, raw, tokens, sent_id}],
    category_id, file_name}``) and ``ann_file`` (``instances.json``, COCO).
    Every sentence of every ref whose ``split`` is selected gives one data
    info:

    - ``img_path``: the COCO ``file_name`` of ``image_id`` (from
      ``instances.json``, not the ref's own ``file_name``) joined with
      ``data_prefix['img_path']``;
    - ``gt_bboxes``: ``[[x1, y1, x2, y2]]``, the annotation's COCO ``[x, y,
      w, h]`` as ``x2 = x + w``, ``y2 = y + h`` (continuous pixels, no +1);
    - ``expression``: the sentence's ``sent`` (lower-cased text);
    - ``task``: ``'grounding'``;
    - ``ref_id``, ``ann_id``, ``image_id``, ``sent_id``, ``category_id``,
      ``width``, ``height`` for bookkeeping.

    ``target_text`` is left to the prompt transform
    (:class:`~vltoolkit.datasets.transforms.TaskPrompt`, task ``grounding``), which writes
    the box as location tokens in the resized image.

    Args:
        split_file (str): the refs pickle, relative to ``data_root``.
            Default ``'refs(unc).p'``.
        split (str | Sequence[str]): ``train``, ``val``, ``test``, ``testA``,
            ``testB`` (a ref's ``split``), or several of them.
        ann_file (str): the COCO instances file. Default ``'instances.json'``.
        task (str): the ``task`` of every sample. Default ``'grounding'``.
        **kwargs: see :class:`mmengine.dataset.BaseDataset` (``data_root``,
            ``data_prefix=dict(img_path='train2014')``, ``pipeline``, ...).

    The pickle is read with a restricted unpickler (builtin containers and
    scalars only). Missing files, refs without a required key, refs whose
    ``ann_id`` or ``image_id`` is not in ``instances.json`` and a split with
    no ref raise errors naming the file, the ref and the fix.
    """

    REF_KEYS = ('ref_id', 'ann_id', 'image_id', 'split', 'sentences')

    def __init__(
        self,
        split_file: str = 'refs(unc).p',
        split: Union[str, Sequence[str]] = 'train',
        ann_file: str = 'instances.json',
        task: str = 'grounding',
        **kwargs,
    ):
        splits = (split,) if isinstance(split, str) else tuple(split)
        for s in splits:
            if s not in REFCOCO_SPLITS:
                raise ValueError(
                    f'unknown RefCOCO split {s!r}; choose from {", ".join(REFCOCO_SPLITS)}'
                )
        self.split = split
        self.splits = splits
        self.split_file = split_file
        self.task = task
        super().__init__(ann_file=ann_file, **kwargs)

    def _join_prefix(self):
        super()._join_prefix()
        if self.split_file and not osp.isabs(self.split_file) and self.data_root:
            self.split_file = osp.join(self.data_root, self.split_file)

    def _fail(self, index, ref, msg):
        ref_id = ref.get('ref_id', '?') if isinstance(ref, dict) else '?'
        raise AnnotationError(f'{self.split_file}, ref {ref_id} (record {index}): {msg}')

    def load_data_list(self):
        refs = load_refs(self.split_file)
        coco = load_coco_instances(self.ann_file)
        prefix = self.data_prefix.get('img_path', '') or ''
        data_list, seen_splits, seen_refs = [], set(), {}
        for index, ref in enumerate(refs):
            if not isinstance(ref, dict):
                self._fail(index, ref, f'is a {type(ref).__name__}, not a dict')
            for key in self.REF_KEYS:
                if key not in ref:
                    self._fail(
                        index, ref, f'missing key {key!r} (refs need {", ".join(self.REF_KEYS)})'
                    )
            refuse_duplicate(
                seen_refs,
                ref['ref_id'],
                f'record {index}',
                f'{self.split_file}, ref {ref["ref_id"]} (record {index})',
                f'ref_id {ref["ref_id"]!r}',
                'a ref must have one record (drop one)',
            )
            seen_splits.add(ref['split'])
            if ref['split'] not in self.splits:
                continue
            data_list += self._parse_ref(index, ref, coco, prefix)
        if not data_list:
            raise ValueError(
                f'{self.split_file} has no expression in split(s) '
                f'{", ".join(self.splits)}; its refs have the splits '
                f'{", ".join(sorted(map(str, seen_splits))) or "(none)"} '
                '(refcoco/refcoco+ unc: train/val/testA/testB; refcocog umd: '
                'train/val/test)'
            )
        return data_list

    def _parse_ref(self, index, ref, coco, prefix):
        ann = coco.anns.get(ref['ann_id'])
        if ann is None:
            self._fail(
                index,
                ref,
                f'ann_id {ref["ann_id"]} is not in '
                f'{self.ann_file}; the refs file and instances.json '
                'must come from the same refer dataset folder',
            )
        img = coco.imgs.get(ref['image_id'])
        if img is None:
            self._fail(
                index,
                ref,
                f'image_id {ref["image_id"]} is not in '
                f'{self.ann_file}; the refs file and instances.json '
                'must come from the same refer dataset folder',
            )
        if ann.get('image_id', ref['image_id']) != ref['image_id']:
            self._fail(
                index,
                ref,
                f'ann_id {ref["ann_id"]} belongs to image '
                f'{ann["image_id"]}, not to the ref\'s image '
                f'{ref["image_id"]}',
            )
        bbox = ann.get('bbox')
        if not isinstance(bbox, (list, tuple)) or len(bbox) != 4 or bbox[2] < 0 or bbox[3] < 0:
            self._fail(
                index,
                ref,
                f'annotation {ref["ann_id"]} has bbox '
                f'{bbox!r}; expected COCO [x, y, w, h] with w, h >= 0',
            )
        if 'file_name' not in img:
            self._fail(index, ref, f'image {ref["image_id"]} of {self.ann_file} has no file_name')
        x, y, w, h = (float(v) for v in bbox)
        check_box_area(
            [x, y, x + w, y + h],
            f'{self.split_file}, ref {ref["ref_id"]} (record {index}), annotation '
            f'{ref["ann_id"]} of {self.ann_file}',
            bbox,
            'xywh',
        )
        sentences = ref['sentences']
        if not isinstance(sentences, (list, tuple)):
            self._fail(
                index, ref, 'key \'sentences\' must be a list of {sent, raw, tokens, sent_id} dicts'
            )
        samples = []
        for j, sent in enumerate(sentences):
            if not isinstance(sent, dict) or not isinstance(sent.get('sent'), str):
                self._fail(
                    index,
                    ref,
                    f'sentence {j} has no \'sent\' text '
                    '(key \'sentences\' holds {sent, raw, tokens, '
                    'sent_id} dicts)',
                )
            samples.append(
                dict(
                    img_path=osp.join(prefix, img['file_name']),
                    gt_bboxes=xywh_to_xyxy([x, y, w, h]).tolist(),
                    expression=sent['sent'],
                    task=self.task,
                    ref_id=ref['ref_id'],
                    ann_id=ref['ann_id'],
                    image_id=ref['image_id'],
                    sent_id=sent.get('sent_id', j),
                    category_id=ref.get('category_id', ann.get('category_id')),
                    width=img.get('width'),
                    height=img.get('height'),
                )
            )
        return samples
