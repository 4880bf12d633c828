"""A synthetic captioning / region captioning / categorization set.

:func:`make_toy_regions` draws the coloured-shape scenes of the toy RefCOCO
set (:func:`~vltoolkit.datasets.toy.make_toy_refcoco_scene`: 2-4 circles,
squares and triangles in red, green, blue or yellow that never overlap) and
describes every image three ways, each in the layout of its real source, so
that the real loaders read them::

    <out_dir>/images/{train,val}/TOY_<id:012d>.png
    <out_dir>/annotations/captions_{split}.json            COCO captions
    <out_dir>/annotations/instances_{split}.json           COCO instances
    <out_dir>/annotations/region_descriptions_{split}.json Visual Genome v1.2
    <out_dir>/annotations/image_data_{split}.json          Visual Genome

* captions (``COCOCaptionDataset``): two per image, both read off the
  picture: the shapes from left to right (``a red circle, a blue square and
  a green triangle``) and the counts per shape (``two circles and a
  square``);
* region descriptions (``VGRegionCaptionDataset``): one per shape, one of
  ``a large red circle``, ``the circle is red`` or ``red circle at the top
  left`` (size: ``large`` when the shape is at least 21% of the image side;
  place: the 3x3 cell of its centre);
* instances (``COCOCategorizationDataset``): every shape with its box
  ``[x, y, w, h]`` (tight pixel extents), area, polygon and category
  (circle=1, square=2, triangle=3).

The ``url`` of each ``image_data`` record ends in ``<split>/<file>``, so
``VGRegionCaptionDataset(data_prefix=dict(img_path='images'),
image_data_file=...)`` finds the images as it finds ``VG_100K/<id>.jpg``.
Everything is drawn from a seeded :class:`numpy.random.Generator` (one
stream per split), so the same seed gives byte-identical files and the
train split does not depend on ``num_val``.
"""

import json
import os
import os.path as osp

import numpy as np

from vltoolkit.utils.progress import track

from .grounding_toy import MIN_IMG_SIZE, TOY_REFCOCO_CATEGORIES, make_toy_refcoco_scene

__all__ = ['make_toy_regions', 'make_toy_regions_scene', 'describe_toy_scene']

_SPLITS = ('train', 'val')
_IMAGE_ID_STRIDE = 1_000_000  # image ids of split k start at k * stride + 1
_NUMBERS = ('no', 'one', 'two', 'three', 'four', 'five')
_LARGE = 0.21  # a shape at least this fraction of the image side is large


def _list(items):
    """``['a', 'b', 'c']`` -> ``'a, b and c'``."""
    return items[0] if len(items) == 1 else ', '.join(items[:-1]) + ' and ' + items[-1]


def _place(box, size):
    cx, cy = (box[0] + box[2]) / 2 / size, (box[1] + box[3]) / 2 / size
    row = ('top', 'middle', 'bottom')[min(2, int(cy * 3))]
    col = ('left', 'centre', 'right')[min(2, int(cx * 3))]
    if row == 'middle' and col == 'centre':
        return 'in the middle'
    if row == 'middle':
        return f'on the {col}'
    if col == 'centre':
        return f'at the {row}'
    return f'at the {row} {col}'


def describe_toy_scene(rng: np.random.Generator, objects, img_size: int):
    """Captions of a scene and one region phrase per shape.

    Args:
        rng (numpy.random.Generator): picks each region's phrasing.
        objects (list[dict]): the shapes of
            :func:`~vltoolkit.datasets.toy.make_toy_refcoco_scene`.
        img_size (int): the image side.

    Returns:
        tuple[list[str], list[str]]: the captions of the image and the
        phrase of each shape (in ``objects`` order).
    """
    by_x = sorted(objects, key=lambda o: (o['bbox'][0] + o['bbox'][2], o['bbox'][1]))
    left_to_right = _list([f'a {o["colour"]} {o["shape"]}' for o in by_x])
    counts = []
    for shape in TOY_REFCOCO_CATEGORIES:
        n = sum(o['shape'] == shape for o in objects)
        if n:
            counts.append(f'a {shape}' if n == 1 else f'{_NUMBERS[n]} {shape}s')
    captions = [left_to_right, _list(counts)]
    phrases = []
    for obj in objects:
        side = max(obj['bbox'][2] - obj['bbox'][0], obj['bbox'][3] - obj['bbox'][1])
        size = 'large' if side >= _LARGE * img_size else 'small'
        kind = int(rng.integers(3))
        if kind == 0:
            phrases.append(f'a {size} {obj["colour"]} {obj["shape"]}')
        elif kind == 1:
            phrases.append(f'the {obj["shape"]} is {obj["colour"]}')
        else:
            phrases.append(f'{obj["colour"]} {obj["shape"]} {_place(obj["bbox"], img_size)}')
    return captions, phrases


def make_toy_regions_scene(rng: np.random.Generator, img_size: int = 96):
    """One scene: ``(image, objects, captions, phrases)`` (see
    :func:`describe_toy_scene`)."""
    img, objects = make_toy_refcoco_scene(  # 2-4 shapes at any pixel
        rng, img_size, num_shapes=(2, 4), size_range=(0.15, 0.27), grid=None
    )
    captions, phrases = describe_toy_scene(rng, objects, img_size)
    return img, objects, captions, phrases


def make_toy_regions(
    out_dir, num_train: int = 200, num_val: int = 50, img_size: int = 96, seed: int = 0
) -> dict:
    """Write the toy captioning / region captioning / categorization set.

    Args:
        out_dir (str): output folder.
        num_train (int): training images (each gives 2 captions, 2-4
            regions, 2-4 objects).
        num_val (int): validation images.
        img_size (int): square image side in pixels, >= 48.
        seed (int): the seed; each split draws from its own stream
            (``SeedSequence([seed, 100 + split_index])``).

    Returns:
        dict: per split (``'train'``, ``'val'``) a dict with ``captions``,
        ``instances`` (the COCO dicts written), ``regions`` and
        ``image_data`` (the VG lists written).
    """
    for name, num in (('num_train', num_train), ('num_val', num_val)):
        if int(num) != num or num < 0:
            raise ValueError(f'{name} must be a non-negative integer, got {num!r}')
    if int(img_size) != img_size or img_size < MIN_IMG_SIZE:
        raise ValueError(f'img_size must be an integer >= {MIN_IMG_SIZE}, got {img_size!r}')
    ann_dir = osp.join(out_dir, 'annotations')
    os.makedirs(ann_dir, exist_ok=True)
    categories = [
        dict(id=cid, name=name, supercategory='shape')
        for name, cid in TOY_REFCOCO_CATEGORIES.items()
    ]
    out = {}
    for index, (split, num) in enumerate(zip(_SPLITS, (num_train, num_val))):
        # streams 100+ so that the scenes differ from the toy RefCOCO set's
        rng = np.random.default_rng(np.random.SeedSequence([seed, 100 + index]))
        img_dir = osp.join(out_dir, 'images', split)
        os.makedirs(img_dir, exist_ok=True)
        images, captions, instances, regions, image_data = [], [], [], [], []
        for i in track(range(int(num)), description=f'toy regions {split} images'):
            img, objects, caps, phrases = make_toy_regions_scene(rng, img_size)
            image_id = index * _IMAGE_ID_STRIDE + i + 1
            file_name = f'TOY_{image_id:012d}.png'
            img.save(osp.join(img_dir, file_name), format='PNG')
            images.append(
                dict(id=image_id, file_name=file_name, width=img.width, height=img.height)
            )
            image_data.append(
                dict(
                    width=img.width,
                    url=f'https://toy.invalid/images/{split}/{file_name}',
                    height=img.height,
                    image_id=image_id,
                    coco_id=image_id,
                    flickr_id=None,
                )
            )
            for k, cap in enumerate(caps):
                captions.append(dict(image_id=image_id, id=image_id * 10 + k, caption=cap))
            img_regions = []
            for k, (obj, phrase) in enumerate(zip(objects, phrases)):
                x1, y1, x2, y2 = obj['bbox']
                instances.append(
                    dict(
                        id=image_id * 10 + k,
                        image_id=image_id,
                        category_id=TOY_REFCOCO_CATEGORIES[obj['shape']],
                        bbox=[x1, y1, x2 - x1, y2 - y1],
                        area=obj['area'],
                        iscrowd=0,
                        segmentation=[obj['polygon']],
                    )
                )
                img_regions.append(
                    dict(
                        region_id=image_id * 10 + k,
                        width=x2 - x1,
                        height=y2 - y1,
                        image_id=image_id,
                        phrase=phrase,
                        y=y1,
                        x=x1,
                    )
                )
            regions.append(dict(id=image_id, regions=img_regions))
        info = dict(
            description='vltoolkit toy multi-task set (synthetic shapes)',
            version='1.0',
            seed=int(seed),
        )
        split_out = dict(
            captions=dict(info=info, licenses=[], images=images, annotations=captions),
            instances=dict(
                info=info, licenses=[], images=images, annotations=instances, categories=categories
            ),
            regions=regions,
            image_data=image_data,
        )
        for key, stem in (
            ('captions', 'captions'),
            ('instances', 'instances'),
            ('regions', 'region_descriptions'),
            ('image_data', 'image_data'),
        ):
            with open(osp.join(ann_dir, f'{stem}_{split}.json'), 'w') as f:
                json.dump(split_out[key], f)
        out[split] = split_out
    return out
