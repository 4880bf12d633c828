"""HOI relation prompts over the V-COCO-derived (QPIC "HOIA") format."""

import os.path as osp
from collections import OrderedDict

from mmengine.dataset import BaseDataset

from vltoolkit.registry import DATASETS

from .annotation_io import (
    AnnotationError,
    check_box_area,
    check_xyxy_box,
    load_json_file,
    refuse_duplicate,
)
from .image_sizes import warn_missing_sizes
from .vcoco_meta import COCO_ID_TO_NAME, VCOCO_CLASSES, VCOCO_RELATION_PHRASES

__all__ = ['AnnotationError', 'HOIRelationDataset']


@DATASETS.register_module()
class HOIRelationDataset(BaseDataset):
    """One sample per (person, object) pair: the multi-task HOI study's relation question.

    Reads the HOIA annotation file (``docs/datasets/hoi.md``): a list of
    images with ``annotations`` (boxes xyxy, COCO category ids) and
    ``hoi_annotation`` (``subject_id``, ``object_id`` or -1, verb index into
    ``classes``). The HOIs of a pair are grouped into one sample whose target
    is the comma-separated relation phrases in class order (``hold, eat``).
    HOIs with ``object_id == -1`` (agent-only relations, or a role whose
    object is not annotated) form a person-only sample.

    Each data info holds ``img_path``, ``gt_bboxes`` ([person, object?]),
    ``subject_name``, ``object_name`` (None for person-only),
    ``gt_relations`` (class names), ``relation_text``, ``target_text`` and
    ``task``.

    Args:
        task (str): task name of the relation samples. Default ``'hoi'``.
        localization_task (str, optional): when set (e.g. ``'hoi_loc'``), every
            pair with an object also yields an object-localisation sample of
            that task: given the person and the relation, where is the object?
            Its target (the object's name and location tokens) is written by
            the prompt transform, so location targets exist in the HOI recipe.
    """

    METAINFO = dict(classes=tuple(VCOCO_CLASSES), relation_phrases=dict(VCOCO_RELATION_PHRASES))

    def __init__(self, *args, task: str = 'hoi', localization_task: str = None, **kwargs):
        self.task = task
        self.localization_task = localization_task
        super().__init__(*args, **kwargs)

    def load_data_list(self):
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(
                f'HOI annotation file {self.ann_file} does not exist: prepare '
                'V-COCO with `python tools/data/vcoco.py` or generate the toy '
                'set with `python tools/data/make_toy.py hoi` (docs/datasets/hoi.md).'
            )
        images = load_json_file(
            self.ann_file,
            'HOI annotation file',
            expect=list,
            allow_empty=False,
            fix='HOIRelationDataset reads the HOIA layout: a list of image '
            'records with file_name, annotations, hoi_annotation; convert '
            'V-COCO / COCO-style files with `python tools/data/vcoco.py` '
            '(docs/datasets/hoi.md).',
        )
        classes = self.metainfo['classes']
        phrases = self.metainfo['relation_phrases']
        data_list = []
        seen = {}
        for index, image in enumerate(images):
            data_list += self._parse_image(index, image, classes, phrases)
            refuse_duplicate(
                seen,
                image['file_name'],
                f'image record {index}',
                f'{self.ann_file}, image record {index}',
                image['file_name'],
            )
        warn_missing_sizes(
            self.ann_file,
            images,
            'convert the annotations again with `python tools/data/vcoco.py` '
            '(docs/datasets/hoi.md)',
        )
        return data_list

    def _fail(self, index, msg):
        raise AnnotationError(f'{self.ann_file}, image record {index}: {msg}')

    def _parse_image(self, index, image, classes, phrases):
        if not isinstance(image, dict):
            self._fail(
                index,
                f'is a {type(image).__name__}, not an image record '
                '(a dict with file_name, annotations, hoi_annotation)',
            )
        for key in ('file_name', 'annotations', 'hoi_annotation'):
            if key not in image:
                self._fail(
                    index,
                    f'missing field {key!r} (HOIA records need '
                    'file_name, annotations, hoi_annotation)',
                )
        anns = image['annotations']
        for j, ann in enumerate(anns):
            if 'bbox' not in ann or 'category_id' not in ann:
                self._fail(index, f'annotation {j} needs bbox and category_id')
            where = f'{self.ann_file}, image record {index} ({image["file_name"]}), annotation {j}'
            check_box_area(check_xyxy_box(ann['bbox'], where), where, ann['bbox'])
        pairs = OrderedDict()
        for hoi in image['hoi_annotation']:
            for key in ('subject_id', 'object_id', 'category_id'):
                if key not in hoi:
                    self._fail(index, f'hoi {hoi} is missing {key!r}')
            verb, sub, obj = hoi['category_id'], hoi['subject_id'], hoi['object_id']
            if not isinstance(verb, int) or not 0 <= verb < len(classes):
                self._fail(
                    index,
                    f'unknown relation {verb!r}: verb indices '
                    f'run 0..{len(classes) - 1} over {classes[:3]}...',
                )
            for role, idx in (('subject_id', sub), ('object_id', obj)):
                if not -1 <= idx < len(anns) or (role == 'subject_id' and idx < 0):
                    self._fail(
                        index, f'{role} {idx} is not an index into its {len(anns)} annotations'
                    )
            pairs.setdefault((sub, obj), set()).add(verb)
        img_path = osp.join(self.data_prefix.get('img_path', ''), image['file_name'])
        for j, ann in enumerate(anns):
            if ann['category_id'] not in COCO_ID_TO_NAME:
                self._fail(
                    index,
                    f'annotation {j} has category_id '
                    f'{ann["category_id"]}, not a COCO category id (1..90)',
                )
        samples = []
        for (sub, obj), verbs in pairs.items():
            verbs = sorted(verbs)
            boxes = [anns[sub]['bbox']] + ([anns[obj]['bbox']] if obj >= 0 else [])
            relation_text = ', '.join(phrases[classes[v]] for v in verbs)
            pair = dict(
                img_path=img_path,
                task=self.task,
                gt_bboxes=boxes,
                subject_name=COCO_ID_TO_NAME[anns[sub]['category_id']],
                object_name=(COCO_ID_TO_NAME[anns[obj]['category_id']] if obj >= 0 else None),
                gt_relations=[classes[v] for v in verbs],
                relation_text=relation_text,
                target_text=relation_text,
            )
            if image.get('width') and image.get('height'):  # LoadImage checks the decoded size
                pair.update(width=image['width'], height=image['height'])
            samples.append(pair)
            if self.localization_task and obj >= 0:
                samples.append(dict(pair, task=self.localization_task, target_text=None))
        return samples
