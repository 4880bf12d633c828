"""COCO captions (``captions_train2014.json``): image captioning samples.

The official layout (``annotations_trainval2014.zip``)::

    {"info": ..., "licenses": ...,
     "images": [{"id", "file_name", "width", "height", ...}],
     "annotations": [{"id", "image_id", "caption"}]}

About five captions per image; the images are ``train2014/<file_name>``.
"""

import os.path as osp
from collections import OrderedDict

from mmengine.dataset import BaseDataset
from mmengine.logging import print_log

from vltoolkit.registry import DATASETS

from .annotation_io import AnnotationError, clean_text, load_json_file, refuse_duplicate

COCO_HOW_TO_GET = (
    'download annotations_trainval2014.zip from cocodataset.org (it holds '
    'captions_{train,val}2014.json and instances_{train,val}2014.json) into '
    'the data root, or generate the toy set with `python '
    'tools/data/make_toy.py multitask --out data/toy_multitask` '
    '(docs/tasks.md)'
)


def index_coco_images(dataset, path, what='COCO file'):
    """``image id -> image record`` of a COCO-style dict, checked: each
    image has ``id`` and ``file_name``, and one record (a repeated id or
    ``file_name`` raises ``AnnotationError`` naming both records)."""
    if (
        not isinstance(dataset, dict)
        or not isinstance(dataset.get('images'), list)
        or not isinstance(dataset.get('annotations'), list)
    ):
        raise ValueError(
            f'{what} {path} is not a COCO annotation file (a dict '
            'with "images" and "annotations" lists)'
        )
    images, ids, files = OrderedDict(), {}, {}
    for i, img in enumerate(dataset['images']):
        where = f'{path}, images[{i}]'
        if not isinstance(img, dict):
            raise AnnotationError(f'{where}: is a {type(img).__name__}, not a dict')
        for key in ('id', 'file_name'):
            if key not in img:
                raise AnnotationError(
                    f'{where}: missing key {key!r} (COCO images need id, file_name, width, height)'
                )
        refuse_duplicate(ids, img['id'], f'images[{i}]', where, f'image id {img["id"]!r}')
        refuse_duplicate(files, img['file_name'], f'images[{i}]', where, img['file_name'])
        images[img['id']] = img
    return images


@DATASETS.register_module()
class COCOCaptionDataset(BaseDataset):
    """COCO captions: one sample per caption, or per image.

    Data info:

    - ``img_path``: ``data_prefix['img_path']`` + the image's ``file_name``;
    - ``caption``: the caption, whitespace collapsed (case kept);
    - ``task``: ``'caption'`` by default (the ``caption`` template of
      :class:`~vltoolkit.datasets.transforms.TaskPrompt`; ``SpanMasking``
      reads ``caption`` too);
    - ``image_id``, ``width``, ``height``, and ``ann_id`` (per caption) or
      ``ann_ids`` and ``gt_captions`` (per image: every caption of the
      image, the references of caption metrics).

    Args:
        ann_file (str): the captions file, relative to ``data_root``.
            Default ``'annotations/captions_train2014.json'``.
        per_image (bool): one sample per image (``caption`` = its first
            caption in file order) instead of one per caption. Default False
            (training); True suits evaluation.
        task (str): the ``task`` of every sample. Default ``'caption'``.
        **kwargs: see :class:`mmengine.dataset.BaseDataset` (``data_root``,
            ``data_prefix=dict(img_path='train2014')``, ``pipeline``, ...).

    A missing file, a file that is not COCO, an annotation without
    ``image_id`` / ``caption`` or naming an unknown image raise errors
    naming the file and record. Empty captions are skipped (and counted in
    the log); a file with no caption at all raises ``ValueError``.
    """

    METAINFO = dict(dataset_name='coco_caption')

    def __init__(
        self,
        ann_file: str = 'annotations/captions_train2014.json',
        per_image: bool = False,
        task: str = 'caption',
        **kwargs,
    ):
        self.per_image = bool(per_image)
        self.task = task
        super().__init__(ann_file=ann_file, **kwargs)

    def load_data_list(self):
        path = self.ann_file
        dataset = load_json_file(path, 'COCO captions file', COCO_HOW_TO_GET)
        images = index_coco_images(dataset, path, 'COCO captions file')
        prefix = self.data_prefix.get('img_path', '') or ''
        captions = OrderedDict()  # image id -> [(ann id, caption)]
        skipped = 0
        for i, ann in enumerate(dataset['annotations']):
            where = f'{path}, annotations[{i}]'
            if not isinstance(ann, dict):
                raise AnnotationError(f'{where}: is a {type(ann).__name__}, not a dict')
            for key in ('image_id', 'caption'):
                if key not in ann:
                    raise AnnotationError(
                        f'{where}: missing key {key!r} (caption annotations '
                        'are {"id", "image_id", "caption"}; is this an '
                        'instances file? use COCOCategorizationDataset)'
                    )
            if ann['image_id'] not in images:
                raise AnnotationError(
                    f'{where}: image_id {ann["image_id"]!r} is not in the "images" of {path}'
                )
            if ann['caption'] is not None and not isinstance(ann['caption'], str):
                raise AnnotationError(f'{where}: caption {ann["caption"]!r} is not a string')
            text = clean_text(ann['caption'])
            if not text:
                skipped += 1
                continue
            captions.setdefault(ann['image_id'], []).append((ann.get('id', i), text))
        if skipped:
            print_log(
                f'COCOCaptionDataset: skipped {skipped} empty caption(s) of {path}',
                logger='current',
                level=30,
            )
        data_list = []
        for image_id, caps in captions.items():
            img = images[image_id]
            base = dict(
                img_path=osp.join(prefix, img['file_name']),
                image_id=image_id,
                width=img.get('width'),
                height=img.get('height'),
                task=self.task,
            )
            if self.per_image:
                data_list.append(
                    dict(
                        base,
                        caption=caps[0][1],
                        gt_captions=[c for _, c in caps],
                        ann_ids=[a for a, _ in caps],
                    )
                )
            else:
                data_list += [dict(base, caption=c, ann_id=a) for a, c in caps]
        if not data_list:
            raise ValueError(
                f'COCO captions file {path} has no caption '
                f'({len(images)} images, '
                f'{len(dataset["annotations"])} annotations)'
            )
        return data_list
