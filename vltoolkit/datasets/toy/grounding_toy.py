"""A synthetic referring-expression set in the original RefCOCO format.

:func:`make_toy_refcoco` draws small scenes (96x96 by default) of 2-3
coloured shapes (circle, square, triangle in red, green, blue, yellow) that
never overlap, and writes them in the ``lichengunc/refer`` layout
(``docs/datasets/refcoco.md``)::

    <out_dir>/instances.json        COCO instances: images, annotations
                                    (bbox [x, y, w, h], area, segmentation),
                                    categories circle=1, square=2, triangle=3
    <out_dir>/refs(unc).p           pickled list of refs (protocol 2)
    <out_dir>/train2014/*.png       the images of every split

Every referred shape gets a ref with one or two expressions, each naming it
uniquely in its scene:

===============================  ============================================
expression                       when
===============================  ============================================
the red circle                   the only red circle
the circle                       the only circle
the red shape                    the only red shape
the red circle on the left       one of two red circles (left / right, or
                                 ``at the top`` / ``at the bottom`` when they
                                 sit above each other)
the circle on the right          one of two circles
the leftmost / rightmost shape   clearly left / right of every other shape
===============================  ============================================

A shape with no unique description (three identical shapes) is annotated
but not referred, as in RefCOCO. A ref's ``split`` is its image's split
(``train`` or ``val``). Boxes are the tight extents of the drawn pixels, so
``[x, y, w, h]`` are integers. Everything is drawn from a seeded
:class:`numpy.random.Generator` (one stream per split), so the same seed
gives byte-identical files, and the train split does not depend on
``num_val``.

By default the shapes sit on a grid of 16 px cells (``grid=16``): corners on
cell borders, sides of 2-3 cells, at least one free cell between shapes. On
96 px images that grid is the 6 x 6 patch grid of a ViT with 16 px patches,
and ``BinBoxCoder(num_bins=7)`` (bins on the cell borders, the toy recipe's
coder) writes every box exactly; localising a shape means naming the patch
columns and rows it covers. ``grid=None`` places shapes at any pixel
(sizes ``size_range`` of the image side), as the multi-task toy set does.
"""

import json
import math
import os
import os.path as osp
import pickle

import numpy as np
from PIL import Image, ImageDraw

from vltoolkit.utils.progress import track

__all__ = [
    'TOY_REFCOCO_CATEGORIES',
    'TOY_REFCOCO_COLOURS',
    'make_toy_refcoco',
    'make_toy_refcoco_scene',
]

#: Shape name -> category id of ``instances.json``.
TOY_REFCOCO_CATEGORIES = {'circle': 1, 'square': 2, 'triangle': 3}
#: Colour name -> RGB fill.
TOY_REFCOCO_COLOURS = {
    'red': (214, 39, 40),
    'green': (44, 160, 44),
    'blue': (31, 90, 220),
    'yellow': (240, 200, 20),
}
#: The smallest image side the scenes are drawn at.
MIN_IMG_SIZE = 48
_SPLITS = ('train', 'val')
_IMAGE_ID_STRIDE = 1_000_000  # image ids of split k start at k * stride + 1


def _shape_outline(shape, x0, y0, s):
    """The polygon (continuous pixel coordinates) of a shape whose box is
    ``[x0, x0 + s] x [y0, y0 + s]``."""
    if shape == 'square':
        return [(x0, y0), (x0 + s, y0), (x0 + s, y0 + s), (x0, y0 + s)]
    if shape == 'triangle':
        return [(x0 + s / 2, y0), (x0 + s, y0 + s), (x0, y0 + s)]
    r = s / 2
    return [
        (x0 + r + r * math.cos(2 * math.pi * k / 24), y0 + r + r * math.sin(2 * math.pi * k / 24))
        for k in range(24)
    ]


def _draw(draw, shape, x0, y0, s, fill):
    # PIL boxes are inclusive pixel indices: [x0, x0 + s - 1] fills s pixels
    x1, y1 = x0 + s - 1, y0 + s - 1
    if shape == 'square':
        draw.rectangle([x0, y0, x1, y1], fill=fill)
    elif shape == 'circle':
        draw.ellipse([x0, y0, x1, y1], fill=fill)
    else:
        draw.polygon([(x0 + (s - 1) / 2, y0), (x1, y1), (x0, y1)], fill=fill)


def _relation(a, b, min_sep):
    """Where box ``a`` lies with respect to box ``b``, if clearly so."""
    dx = (a[0] + a[2] - b[0] - b[2]) / 2
    dy = (a[1] + a[3] - b[1] - b[3]) / 2
    if abs(dx) >= abs(dy) and abs(dx) >= min_sep:
        return 'on the left' if dx < 0 else 'on the right'
    if abs(dy) >= min_sep:
        return 'at the top' if dy < 0 else 'at the bottom'
    return None


def _expressions(objects, min_sep):
    """For each object, the expressions that pick it out uniquely."""
    out = []
    for i, obj in enumerate(objects):
        shape, colour, box = obj['shape'], obj['colour'], obj['bbox']
        same_shape = [j for j, o in enumerate(objects) if o['shape'] == shape]
        same_colour = [j for j, o in enumerate(objects) if o['colour'] == colour]
        same_both = [j for j in same_shape if j in same_colour]
        cands = []
        if len(same_both) == 1:
            cands.append(f'the {colour} {shape}')
        if len(same_shape) == 1:
            cands.append(f'the {shape}')
        if len(same_colour) == 1:
            cands.append(f'the {colour} shape')
        for group, name in ((same_both, f'{colour} {shape}'), (same_shape, shape)):
            if len(group) == 2:
                other = objects[group[0] if group[1] == i else group[1]]
                where = _relation(box, other['bbox'], min_sep)
                if where is not None:
                    cands.append(f'the {name} {where}')
        others = [o['bbox'] for j, o in enumerate(objects) if j != i]
        cx = (box[0] + box[2]) / 2
        ocx = [(b[0] + b[2]) / 2 for b in others]
        if all(c - cx >= min_sep for c in ocx):
            cands.append('the leftmost shape')
        if all(cx - c >= min_sep for c in ocx):
            cands.append('the rightmost shape')
        out.append(cands)
    return out


def make_toy_refcoco_scene(
    rng: np.random.Generator,
    img_size: int = 96,
    num_shapes=(2, 3),
    size_range=(1 / 3, 1 / 2),
    grid=16,
):
    """Draw one scene and describe its shapes.

    Args:
        rng (numpy.random.Generator): the random stream.
        img_size (int): square image side in pixels, >= 48.
        num_shapes (tuple[int, int]): fewest and most shapes. Default (2, 3).
        size_range (tuple[float, float]): smallest and largest shape side as
            a fraction of ``img_size`` (rounded to whole cells on a grid).
            Default 1/3 - 1/2 (2-3 cells of 16 px on 96 px).
        grid (int, optional): cell size in pixels: shape corners and sides
            on the cell grid, at least one cell between shapes. ``None``:
            any pixel, at least ``img_size / 32`` px between shapes.
            Default 16.

    Returns:
        tuple[PIL.Image.Image, list[dict]]: the RGB image and one dict per
        shape: ``shape``, ``colour``, ``bbox`` (``[x1, y1, x2, y2]``, integer
        pixel extents), ``polygon`` (flat ``[x, y, ...]``), ``area`` (drawn
        pixels) and ``expressions`` (unique descriptions; empty when the
        shape has none).
    """
    if int(img_size) != img_size or img_size < MIN_IMG_SIZE:
        raise ValueError(f'img_size must be an integer >= {MIN_IMG_SIZE}, got {img_size!r}')
    S = int(img_size)
    if not 1 <= num_shapes[0] <= num_shapes[1]:
        raise ValueError(
            f'num_shapes must be (fewest, most) with 1 <= fewest <= most, got {num_shapes!r}'
        )
    if not 0 < size_range[0] <= size_range[1] < 1:
        raise ValueError(
            f'size_range must be (smallest, largest) fractions '
            f'of the image side in (0, 1), got {size_range!r}'
        )
    if grid is not None and (int(grid) != grid or not 1 <= grid <= S // 2):
        raise ValueError(
            f'grid must be None or a cell size in pixels between 1 and img_size / 2, got {grid!r}'
        )
    shapes, colours = list(TOY_REFCOCO_CATEGORIES), list(TOY_REFCOCO_COLOURS)
    margin = max(2, round(S / 32))
    if grid:  # sizes in cells; shapes at least one cell apart
        lo, hi = (max(1, round(f * S / grid)) for f in size_range)
        margin = 1
    else:
        lo, hi = (round(f * S) for f in size_range)
    while True:
        n = int(rng.integers(num_shapes[0], num_shapes[1] + 1))
        objects = []
        for _ in range(n):
            if grid:
                s = grid * int(rng.integers(lo, hi + 1))
            else:
                s = int(rng.integers(lo, hi + 1))
            for _try in range(100):
                if grid:
                    x0, y0 = (grid * int(rng.integers(0, (S - s) // grid + 1)) for _ in range(2))
                else:
                    x0 = int(rng.integers(margin, S - margin - s + 1))
                    y0 = int(rng.integers(margin, S - margin - s + 1))
                box = (x0, y0, x0 + s, y0 + s)
                if all(
                    box[2] + margin <= o['box'][0]
                    or o['box'][2] + margin <= box[0]
                    or box[3] + margin <= o['box'][1]
                    or o['box'][3] + margin <= box[1]
                    for o in objects
                ):
                    break
            else:
                break  # no room: draw the scene again
            objects.append(
                dict(
                    shape=shapes[int(rng.integers(len(shapes)))],
                    colour=colours[int(rng.integers(len(colours)))],
                    box=box,
                    size=s,
                )
            )
        if len(objects) < n:
            continue
        # render first, then measure each shape from its own mask
        grey = int(rng.integers(175, 236))
        base = np.clip(grey + rng.integers(-10, 11, size=3), 0, 255)
        img = Image.new('RGB', (S, S), tuple(int(c) for c in base))
        draw = ImageDraw.Draw(img)
        for obj in objects:
            x0, y0 = obj['box'][:2]
            _draw(draw, obj['shape'], x0, y0, obj['size'], TOY_REFCOCO_COLOURS[obj['colour']])
            mask = Image.new('L', (S, S), 0)
            _draw(ImageDraw.Draw(mask), obj['shape'], x0, y0, obj['size'], 1)
            obj['bbox'] = list(mask.getbbox())
            obj['area'] = int(np.asarray(mask, np.int64).sum())
            obj['polygon'] = [
                round(float(v), 2)
                for pt in _shape_outline(obj['shape'], x0, y0, obj['size'])
                for v in pt
            ]
        min_sep = 0.5 * float(np.mean([o['size'] for o in objects]))
        exprs = _expressions(objects, min_sep)
        if not any(exprs):
            continue
        noise = rng.normal(0, 3, size=(S, S, 3))
        arr = np.clip(np.asarray(img, np.float32) + noise, 0, 255)
        img = Image.fromarray(arr.round().astype(np.uint8))
        return img, [
            dict(
                shape=o['shape'],
                colour=o['colour'],
                bbox=o['bbox'],
                polygon=o['polygon'],
                area=o['area'],
                expressions=e,
            )
            for o, e in zip(objects, exprs)
        ]


def make_toy_refcoco(
    out_dir,
    num_train=1000,
    num_val=200,
    img_size=96,
    seed=0,
    num_shapes=(2, 3),
    size_range=(1 / 3, 1 / 2),
    grid=16,
):
    """Write the toy RefCOCO set (``instances.json``, ``refs(unc).p``,
    ``train2014/*.png``).

    Args:
        out_dir (str): output folder.
        num_train (int): training images (each gives 1-3 refs of 1-2
            expressions).
        num_val (int): validation images.
        img_size (int): square image side in pixels, >= 48.
        seed (int): the seed; each split draws from its own stream
            (``SeedSequence([seed, split_index])``).
        num_shapes, size_range, grid: see :func:`make_toy_refcoco_scene`.

    The defaults are the data of the toy grounding recipes
    (``configs/_base_/datasets/refcoco_toy.py``).

    Returns:
        dict: ``refs`` (the list written to ``refs(unc).p``) and
        ``instances`` (the dict written to ``instances.json``).
    """
    for name, num in (('num_train', num_train), ('num_val', num_val)):
        if int(num) != num or num < 0:
            raise ValueError(f'{name} must be a non-negative integer, got {num!r}')
    img_dir = osp.join(out_dir, 'train2014')
    os.makedirs(img_dir, exist_ok=True)
    images, annotations, refs = [], [], []
    for index, (split, num) in enumerate(zip(_SPLITS, (num_train, num_val))):
        rng = np.random.default_rng(np.random.SeedSequence([seed, index]))
        for i in track(range(int(num)), description=f'toy RefCOCO {split} images'):
            img, objects = make_toy_refcoco_scene(rng, img_size, num_shapes, size_range, grid)
            image_id = index * _IMAGE_ID_STRIDE + i + 1
            stem = f'TOY_train2014_{image_id:012d}'
            img.save(osp.join(img_dir, stem + '.png'), format='PNG')
            images.append(
                dict(id=image_id, file_name=stem + '.png', width=img.width, height=img.height)
            )
            for k, obj in enumerate(objects):
                ann_id = image_id * 10 + k
                x1, y1, x2, y2 = obj['bbox']
                category_id = TOY_REFCOCO_CATEGORIES[obj['shape']]
                annotations.append(
                    dict(
                        id=ann_id,
                        image_id=image_id,
                        category_id=category_id,
                        bbox=[x1, y1, x2 - x1, y2 - y1],
                        area=obj['area'],
                        iscrowd=0,
                        segmentation=[obj['polygon']],
                    )
                )
                if not obj['expressions']:
                    continue
                count = 1 + int(rng.random() < 0.5)
                order = rng.permutation(len(obj['expressions']))[:count]
                ref_id = len(refs)
                sentences = []
                for j in sorted(int(o) for o in order):
                    sent = obj['expressions'][j]
                    sentences.append(
                        dict(
                            tokens=sent.split(),
                            raw=sent[0].upper() + sent[1:],
                            sent_id=ref_id * 10 + len(sentences),
                            sent=sent,
                        )
                    )
                refs.append(
                    dict(
                        sent_ids=[s['sent_id'] for s in sentences],
                        file_name=f'{stem}_{ref_id}.png',
                        ann_id=ann_id,
                        ref_id=ref_id,
                        image_id=image_id,
                        split=split,
                        sentences=sentences,
                        category_id=category_id,
                    )
                )
    instances = dict(
        info=dict(
            description='vltoolkit toy RefCOCO (synthetic shapes)', version='1.0', seed=int(seed)
        ),
        images=images,
        licenses=[],
        annotations=annotations,
        categories=[
            dict(id=cid, name=name, supercategory='shape')
            for name, cid in TOY_REFCOCO_CATEGORIES.items()
        ],
    )
    with open(osp.join(out_dir, 'instances.json'), 'w') as f:
        json.dump(instances, f)
    with open(osp.join(out_dir, 'refs(unc).p'), 'wb') as f:
        pickle.dump(refs, f, protocol=2)
    return dict(refs=refs, instances=instances)
