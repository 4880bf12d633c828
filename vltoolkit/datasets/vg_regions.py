"""Visual Genome region descriptions: region captioning samples.

Two layouts of ``region_descriptions.json`` (a list with one entry per
image, ``{"id": <image id>, "regions": [...]}``) exist:

* v1.2 (also v1.4): regions ``{"region_id", "image_id", "phrase", "x",
  "y", "width", "height"}``;
* v1.0: regions ``{"id": <region id>, "image": <image id>, "phrase", "x",
  "y", "width", "height"}``.

Boxes are ``[x, y, w, h]`` in pixels of the VG image, whose size is in
``image_data.json`` (``[{"image_id", "url", "width", "height", "coco_id",
"flickr_id"}]``). The images are ``VG_100K/<id>.jpg`` and
``VG_100K_2/<id>.jpg`` (the folder is the one of the ``url``).
"""

import os.path as osp
from urllib.parse import urlparse

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
    read_id_list,
    refuse_duplicate,
)

VG_HOW_TO_GET = (
    'download region_descriptions.json.zip and image_data.json.zip (v1.2) '
    'and the images (images.zip, images2.zip) from visualgenome.org into the '
    'data root, or generate the toy set with `python '
    'tools/data/make_toy.py multitask --out data/toy_multitask` '
    '(docs/tasks.md)'
)

#: region keys of each layout: (region id, image id)
_LAYOUTS = {'v1.2': ('region_id', 'image_id'), 'v1.0': ('id', 'image')}
_BOX_KEYS = ('x', 'y', 'width', 'height')


@DATASETS.register_module()
class VGRegionCaptionDataset(BaseDataset):
    """Visual Genome region descriptions: one sample per region (box +
    phrase).

    Data info:

    - ``img_path``: ``data_prefix['img_path']`` + the image file (see
      ``img_path_fmt``);
    - ``gt_bboxes``: ``[[x1, y1, x2, y2]]`` (``x2 = x + width``), clipped to
      the image when ``image_data_file`` gives its size;
    - ``caption``: the phrase, whitespace collapsed (case kept);
    - ``task``: ``'region_caption'`` by default (the template ``What does the
      region {region} describe?`` -> ``{caption}`` of
      :class:`~vltoolkit.datasets.transforms.TaskPrompt`);
    - ``region_id``, ``image_id``, ``width``, ``height`` (``None`` without
      ``image_data_file``), ``layout`` (``'v1.2'`` or ``'v1.0'``).

    Both layouts are read (detected per region from its keys).

    Args:
        ann_file (str): ``region_descriptions.json``, relative to
            ``data_root``.
        image_data_file (str, optional): ``image_data.json`` (relative to
            ``data_root``): image sizes (for clipping) and, from the
            ``url``, each image's folder (``VG_100K`` or ``VG_100K_2``).
        img_path_fmt (str, optional): the image file of an image id, e.g.
            ``'{image_id}.jpg'`` or ``'TOY_{image_id:012d}.png'``. Default:
            the last two parts of the ``url`` in ``image_data_file``
            (``VG_100K_2/1.jpg``), else ``'{image_id}.jpg'``.
        split_file (str, optional): keep only these image ids: a JSON list,
            a JSON dict split -> list (DenseCap's ``densecap_splits.json``,
            with ``split``) or a text file of one id per line.
        split (str, optional): the split of a JSON dict ``split_file``.
        task (str): the ``task`` of every sample. Default ``'region_caption'``.
        min_size (float): skip regions narrower or lower than this (pixels,
            after clipping). Default 1.
        zero_area_boxes (str): ``'refuse'`` (default) raises on a region with
            ``width == 0`` or ``height == 0``; ``'skip'`` skips it (counted in
            the log). Visual Genome's own releases hold such regions (DenseCap
            drops them), so the multi-task recipe sets ``'skip'``.
        **kwargs: see :class:`mmengine.dataset.BaseDataset`.

    A region missing a key, with a malformed or zero-area box, or whose
    image id disagrees with its image entry, and two entries of one image
    (in ``ann_file`` or ``image_data_file``) raise ``AnnotationError``
    naming the file, the image entry, the region and the key. Empty phrases
    and tiny regions are skipped and counted in the log.
    """

    METAINFO = dict(dataset_name='visual_genome_regions')

    def __init__(
        self,
        ann_file: str = 'region_descriptions.json',
        image_data_file: str = None,
        img_path_fmt: str = None,
        split_file: str = None,
        split: str = None,
        task: str = 'region_caption',
        min_size: float = 1.0,
        zero_area_boxes: str = 'refuse',
        **kwargs,
    ):
        if zero_area_boxes not in ZERO_AREA_CHOICES:
            raise ValueError(f"zero_area_boxes={zero_area_boxes!r}: use 'refuse' or 'skip'")
        self.zero_area_boxes = zero_area_boxes
        self.image_data_file = image_data_file
        self.img_path_fmt = img_path_fmt
        self.split_file = split_file
        self.split = split
        self.task = task
        self.min_size = float(min_size)
        super().__init__(ann_file=ann_file, **kwargs)

    def _join_prefix(self):
        super()._join_prefix()
        for attr in ('image_data_file', 'split_file'):
            value = getattr(self, attr)
            if value and not osp.isabs(value) and self.data_root:
                setattr(self, attr, osp.join(self.data_root, value))

    # ---------------------------------------------------------------- images
    def _load_image_data(self):
        if not self.image_data_file:
            return {}
        path = self.image_data_file
        records = load_json_file(path, 'VG image data file', VG_HOW_TO_GET)
        if not isinstance(records, list):
            raise ValueError(
                f'VG image data file {path} must hold a list of '
                '{"image_id", "url", "width", "height"} records'
            )
        images, seen = {}, {}
        for i, rec in enumerate(records):
            if not isinstance(rec, dict):
                raise AnnotationError(f'{path}, record {i}: is a {type(rec).__name__}, not a dict')
            image_id = rec.get('image_id', rec.get('id'))
            if image_id is None:
                raise AnnotationError(f'{path}, record {i}: missing key \'image_id\'')
            refuse_duplicate(
                seen, image_id, f'record {i}', f'{path}, record {i}', f'image id {image_id!r}'
            )
            images[image_id] = rec
        return images

    def _image_file(self, image_id, image_rec):
        if self.img_path_fmt is not None:
            return self.img_path_fmt.format(image_id=image_id)
        url = (image_rec or {}).get('url')
        if url:
            parts = urlparse(url).path.rstrip('/').split('/')
            return '/'.join(parts[-2:]) if len(parts) >= 2 else parts[-1]
        return f'{image_id}.jpg'

    # --------------------------------------------------------------- regions
    @staticmethod
    def _layout(region):
        if 'region_id' in region or 'image_id' in region:
            return 'v1.2'
        if 'image' in region:
            return 'v1.0'
        return None

    def load_data_list(self):
        path = self.ann_file
        entries = load_json_file(path, 'VG region descriptions file', VG_HOW_TO_GET)
        if not isinstance(entries, list):
            raise ValueError(
                f'VG region descriptions file {path} must hold a '
                'list of {"id": <image id>, "regions": [...]} '
                'entries'
            )
        images = self._load_image_data()
        if not self.image_data_file:
            print_log(
                f'VGRegionCaptionDataset: no image_data_file for {path}, so the regions are '
                "not clipped to their images and the images' decoded size is not checked "
                "against them; give image_data_file='image_data.json' (visualgenome.org)",
                logger='current',
                level=30,
            )
        keep = (
            read_id_list(self.split_file, self.split, 'VG split file') if self.split_file else None
        )
        prefix = self.data_prefix.get('img_path', '') or ''
        data_list, empty, small, zero, missing_size = [], 0, 0, 0, 0
        seen = {}
        for i, entry in enumerate(entries):
            where_img = f'{path}, image entry {i}'
            if not isinstance(entry, dict) or not isinstance(entry.get('regions'), list):
                got = (
                    f'keys {sorted(entry)}'
                    if isinstance(entry, dict)
                    else f'a {type(entry).__name__}'
                )
                raise AnnotationError(
                    f'{where_img}: expected {{"id": <image id>, "regions": [...]}}, got {got}'
                )
            entry_id = entry.get('id', entry.get('image_id'))
            if entry_id is not None:
                refuse_duplicate(
                    seen, entry_id, f'image entry {i}', where_img, f'image id {entry_id!r}'
                )
            for j, region in enumerate(entry['regions']):
                where = f'{where_img} (id {entry_id}), region {j}'
                if not isinstance(region, dict):
                    raise AnnotationError(f'{where}: is a {type(region).__name__}, not a dict')
                layout = self._layout(region)
                if layout is None:
                    raise AnnotationError(
                        f'{where}: has neither "image_id" (v1.2 layout) nor '
                        f'"image" (v1.0 layout); keys: {sorted(region)}'
                    )
                rid_key, iid_key = _LAYOUTS[layout]
                for key in (rid_key, iid_key, 'phrase') + _BOX_KEYS:
                    if key not in region:
                        raise AnnotationError(
                            f'{where}: missing key {key!r} (VG {layout} '
                            f'regions need {", ".join((rid_key, iid_key, "phrase") + _BOX_KEYS)})'
                        )
                image_id = region[iid_key]
                if entry_id is not None and image_id != entry_id:
                    raise AnnotationError(
                        f'{where}: {iid_key} {image_id!r} differs from its entry id {entry_id!r}'
                    )
                if keep is not None and int(image_id) not in keep:
                    continue
                img = images.get(image_id)
                if images and img is None:
                    missing_size += 1
                size = (img.get('width'), img.get('height')) if img else None
                bbox = [region[k] for k in _BOX_KEYS]
                if not check_box_area(
                    coco_box_to_xyxy(bbox, where),
                    where,
                    bbox,
                    'xywh',
                    self.zero_area_boxes,
                    "zero_area_boxes='skip'",
                ):
                    zero += 1
                    continue
                box = coco_box_to_xyxy(bbox, where, size)
                phrase = clean_text(region['phrase'])
                if not phrase:
                    empty += 1
                    continue
                if box[2] - box[0] < self.min_size or box[3] - box[1] < self.min_size:
                    small += 1
                    continue
                data_list.append(
                    dict(
                        img_path=osp.join(prefix, self._image_file(image_id, img)),
                        gt_bboxes=[box],
                        caption=phrase,
                        region_id=region[rid_key],
                        image_id=image_id,
                        width=img.get('width') if img else None,
                        height=img.get('height') if img else None,
                        task=self.task,
                        layout=layout,
                    )
                )
        if empty or small or zero or missing_size:
            print_log(
                f'VGRegionCaptionDataset: skipped {empty} empty phrase(s), '
                f'{small} region(s) < {self.min_size:g} px and {zero} zero-area '
                f'region(s) of {path}'
                + (
                    f'; {missing_size} region(s) of images missing from '
                    f'{self.image_data_file} (not clipped)'
                    if missing_size
                    else ''
                ),
                logger='current',
                level=20,
            )
        if not data_list:
            raise ValueError(
                f'VG region descriptions file {path} gives no region '
                f'({len(entries)} image entries'
                + (
                    f', split file {self.split_file} keeps {len(keep)} image ids'
                    if keep is not None
                    else ''
                )
                + ')'
            )
        return data_list
