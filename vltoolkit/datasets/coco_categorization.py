"""Region categorization from COCO instances: box -> category name."""

import os.path as osp

from mmengine.dataset import BaseDataset
from mmengine.logging import print_log

from vltoolkit.registry import DATASETS

from .annotation_io import (
    ZERO_AREA_CHOICES,
    AnnotationError,
    check_box_area,
    clean_text,
    coco_box_to_xyxy,
    load_json_file,
)
from .coco_caption import COCO_HOW_TO_GET, index_coco_images
from .image_sizes import warn_missing_sizes


@DATASETS.register_module()
class COCOCategorizationDataset(BaseDataset):
    """COCO instances: one sample per object, asking for its category.

    Reads a COCO instances file (``instances_train2014.json``: ``images``,
    ``annotations`` with ``bbox`` ``[x, y, w, h]`` and ``category_id``,
    ``categories`` with ``id`` and ``name``). Data info:

    - ``img_path``: ``data_prefix['img_path']`` + the image's ``file_name``;
    - ``gt_bboxes``: ``[[x1, y1, x2, y2]]`` (``x2 = x + w``, no +1), clipped
      to the image's ``width`` / ``height``;
    - ``category``: the category name (``'person'``), ``category_id``;
    - ``task``: ``'categorization'`` by default (the template
      ``What is the category of the region {region}?`` -> ``{category}`` of
      :class:`~vltoolkit.datasets.transforms.TaskPrompt`);
    - ``ann_id``, ``image_id``, ``width``, ``height``.

    Metainfo ``classes``: the category names in id order.

    Args:
        ann_file (str): the instances file, relative to ``data_root``.
            Default ``'annotations/instances_train2014.json'``.
        task (str): the ``task`` of every sample. Default ``'categorization'``.
        skip_crowd (bool): skip ``iscrowd=1`` annotations (a crowd box holds
            many objects). Default True.
        min_size (float): skip boxes narrower or lower than this (pixels,
            after clipping): a region of a pixel or two shows nothing.
            Default 1.
        zero_area_boxes (str): ``'refuse'`` (default) raises on a box with
            ``w == 0`` or ``h == 0`` as annotated; ``'skip'`` skips it (counted
            in the log). COCO's own instances files hold such boxes (e.g.
            annotation 2206849 of image 550395, ``h = 0``, in train2014 and
            train2017), so the multi-task recipe sets ``'skip'``.
        **kwargs: see :class:`mmengine.dataset.BaseDataset`.

    Annotations without ``bbox`` / ``category_id`` / ``image_id``, with an
    unknown category or image, with a malformed or zero-area box, and two
    image records of one image id or file raise ``AnnotationError`` naming
    the file and record; skipped ones are counted in the log.
    """

    METAINFO = dict(dataset_name='coco_categorization')

    def __init__(
        self,
        ann_file: str = 'annotations/instances_train2014.json',
        task: str = 'categorization',
        skip_crowd: bool = True,
        min_size: float = 1.0,
        zero_area_boxes: str = 'refuse',
        **kwargs,
    ):
        if zero_area_boxes not in ZERO_AREA_CHOICES:
            raise ValueError(f"zero_area_boxes={zero_area_boxes!r}: use 'refuse' or 'skip'")
        self.zero_area_boxes = zero_area_boxes
        self.task = task
        self.skip_crowd = bool(skip_crowd)
        self.min_size = float(min_size)
        super().__init__(ann_file=ann_file, **kwargs)

    def load_data_list(self):
        path = self.ann_file
        dataset = load_json_file(path, 'COCO instances file', COCO_HOW_TO_GET)
        images = index_coco_images(dataset, path, 'COCO instances file')
        warn_missing_sizes(path, dataset['images'])
        cats = {}
        for i, cat in enumerate(dataset.get('categories') or []):
            if not isinstance(cat, dict) or 'id' not in cat or not clean_text(cat.get('name')):
                raise AnnotationError(
                    f'{path}, categories[{i}]: needs an id and a non-empty name, got {cat!r}'
                )
            cats[cat['id']] = clean_text(cat['name'])
        if not cats:
            raise ValueError(
                f'COCO instances file {path} has no "categories" '
                '(is it a captions file? use COCOCaptionDataset)'
            )
        self._metainfo['classes'] = tuple(cats[k] for k in sorted(cats))
        prefix = self.data_prefix.get('img_path', '') or ''
        data_list, crowd, small, zero = [], 0, 0, 0
        for i, ann in enumerate(dataset['annotations']):
            where = f'{path}, annotations[{i}]'
            if not isinstance(ann, dict):
                raise AnnotationError(f'{where}: is a {type(ann).__name__}, not a dict')
            for key in ('image_id', 'bbox', 'category_id'):
                if key not in ann:
                    raise AnnotationError(
                        f'{where}: missing key {key!r} (instance annotations '
                        'need image_id, bbox, category_id)'
                    )
            img = images.get(ann['image_id'])
            if img is None:
                raise AnnotationError(
                    f'{where}: image_id {ann["image_id"]!r} is not in the "images" of {path}'
                )
            if ann['category_id'] not in cats:
                raise AnnotationError(
                    f'{where}: category_id {ann["category_id"]!r} is not in '
                    f'the "categories" of {path} ({sorted(cats)[:5]}...)'
                )
            if self.skip_crowd and ann.get('iscrowd', 0):
                crowd += 1
                continue
            box = coco_box_to_xyxy(ann['bbox'], where)
            if not check_box_area(
                box, where, ann['bbox'], 'xywh', self.zero_area_boxes, "zero_area_boxes='skip'"
            ):
                zero += 1
                continue
            box = coco_box_to_xyxy(ann['bbox'], where, (img.get('width'), img.get('height')))
            if box[2] - box[0] < self.min_size or box[3] - box[1] < self.min_size:
                small += 1
                continue
            data_list.append(
                dict(
                    img_path=osp.join(prefix, img['file_name']),
                    gt_bboxes=[box],
                    category=cats[ann['category_id']],
                    category_id=ann['category_id'],
                    ann_id=ann.get('id', i),
                    image_id=ann['image_id'],
                    width=img.get('width'),
                    height=img.get('height'),
                    task=self.task,
                )
            )
        if crowd or small or zero:
            print_log(
                f'COCOCategorizationDataset: skipped {crowd} crowd, '
                f'{small} small (< {self.min_size:g} px) and {zero} zero-area '
                f'annotation(s) of {path}',
                logger='current',
                level=20,
            )
        if not data_list:
            raise ValueError(
                f'COCO instances file {path} has no usable object '
                f'({len(dataset["annotations"])} annotations, '
                f'{crowd} crowd, {small} small, {zero} zero-area)'
            )
        return data_list
