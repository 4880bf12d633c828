"""The synthetic RefCOCO generator (vltoolkit.datasets.toy.grounding_toy)."""

import contextlib
import io
import json
import pickle
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pycocotools.coco import COCO

from tests.conftest import load_tool
from vltoolkit.datasets import RefCOCODataset, load_refs
from vltoolkit.datasets.toy import (
    TOY_REFCOCO_CATEGORIES,
    TOY_REFCOCO_COLOURS,
    make_toy_refcoco,
    make_toy_refcoco_scene,
)

SHAPE_OF = {v: k for k, v in TOY_REFCOCO_CATEGORIES.items()}


def _files(root):
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(Path(root).rglob('*'))
        if p.is_file()
    }


@pytest.fixture(scope='module')
def toy(tmp_path_factory):
    root = tmp_path_factory.mktemp('toy_refcoco')
    return root, make_toy_refcoco(root, num_train=30, num_val=10, seed=0)


def test_layout_and_determinism(toy, tmp_path):
    root, out = toy
    files = _files(root)
    assert {'instances.json', 'refs(unc).p'} <= set(files)
    assert sum(k.startswith('train2014/') for k in files) == 40
    assert json.loads(files['instances.json']) == out['instances']
    assert load_refs(str(root / 'refs(unc).p')) == out['refs']
    # same seed -> identical bytes (JSON, pickle, PNG)
    make_toy_refcoco(tmp_path / 'again', num_train=30, num_val=10, seed=0)
    assert _files(tmp_path / 'again') == files
    # the train split does not depend on num_val
    short = make_toy_refcoco(tmp_path / 'short', num_train=30, num_val=2)
    assert [r for r in short['refs'] if r['split'] == 'train'] == [
        r for r in out['refs'] if r['split'] == 'train'
    ]
    # another seed -> other data
    make_toy_refcoco(tmp_path / 'seed1', num_train=30, num_val=10, seed=1)
    assert _files(tmp_path / 'seed1')['refs(unc).p'] != files['refs(unc).p']


def test_real_format(toy):
    root, out = toy
    with contextlib.redirect_stdout(io.StringIO()):
        coco = COCO(str(root / 'instances.json'))
    assert sorted(c['name'] for c in coco.loadCats(coco.getCatIds())) == [
        'circle',
        'square',
        'triangle',
    ]
    refs = out['refs']
    assert {r['split'] for r in refs} == {'train', 'val'}
    assert [r['ref_id'] for r in refs] == list(range(len(refs)))
    sent_ids = [s['sent_id'] for r in refs for s in r['sentences']]
    assert len(set(sent_ids)) == len(sent_ids)
    for ref in refs:
        assert set(ref) == {
            'ref_id',
            'ann_id',
            'image_id',
            'split',
            'sentences',
            'sent_ids',
            'category_id',
            'file_name',
        }
        ann = coco.anns[ref['ann_id']]
        img = coco.imgs[ref['image_id']]
        assert ann['image_id'] == ref['image_id']
        assert ann['category_id'] == ref['category_id']
        # the ref's file_name is the image's plus _<suffix>, as in refer
        stem = img['file_name'].rsplit('.', 1)[0]
        assert ref['file_name'].startswith(stem + '_')
        assert 1 <= len(ref['sentences']) <= 2
        assert ref['sent_ids'] == [s['sent_id'] for s in ref['sentences']]
        for s in ref['sentences']:
            assert set(s) == {'tokens', 'raw', 'sent_id', 'sent'}
            assert s['tokens'] == s['sent'].split()
            assert s['raw'].lower() == s['sent']
    for img in coco.imgs.values():
        with Image.open(root / 'train2014' / img['file_name']) as im:
            assert im.size == (img['width'], img['height']) == (96, 96)
            assert im.mode == 'RGB'
        anns = coco.imgToAnns[img['id']]
        assert 2 <= len(anns) <= 3
        for ann in anns:
            x, y, w, h = ann['bbox']
            assert all(isinstance(v, int) for v in ann['bbox'])
            assert x >= 0 and y >= 0 and x + w <= 96 and y + h <= 96
            assert 0 < ann['area'] <= w * h and ann['iscrowd'] == 0
            assert len(ann['segmentation'][0]) >= 6
    # every image of a split has at least one ref
    for split in ('train', 'val'):
        imgs = {r['image_id'] for r in refs if r['split'] == split}
        assert len(imgs) == (30 if split == 'train' else 10)


def _colour_of(img, bbox):
    """The named colour nearest to the pixel at the shape's centre (the
    middle of the lower half for a triangle, which is wider there)."""
    x, y, w, h = bbox
    px = np.asarray(img, np.float64)[int(y + 0.7 * h), int(x + w / 2)]
    return min(
        TOY_REFCOCO_COLOURS, key=lambda c: np.abs(np.asarray(TOY_REFCOCO_COLOURS[c]) - px).sum()
    )


def _resolve(sent, objects):
    """The objects an expression denotes, by the rules of the generator's
    table: filter by colour / shape, then by position."""
    words = sent.split()
    assert words[0] == 'the'
    if sent in ('the leftmost shape', 'the rightmost shape'):
        cx = [o['cx'] for o in objects]
        pick = min if 'left' in sent else max
        return [objects[cx.index(pick(cx))]]
    rest = words[1:]
    cands = objects
    if rest[0] in TOY_REFCOCO_COLOURS:
        cands = [o for o in cands if o['colour'] == rest[0]]
        rest = rest[1:]
    if rest[0] in TOY_REFCOCO_CATEGORIES:
        cands = [o for o in cands if o['shape'] == rest[0]]
    else:
        assert rest[0] == 'shape'
    where = ' '.join(rest[1:])
    if where:
        assert len(cands) == 2, (sent, cands)
        key, pick = {
            'on the left': ('cx', min),
            'on the right': ('cx', max),
            'at the top': ('cy', min),
            'at the bottom': ('cy', max),
        }[where]
        return [
            min(cands, key=lambda o: o[key]) if pick is min else max(cands, key=lambda o: o[key])
        ]
    return cands


def test_expressions_identify_their_shape(toy):
    root, out = toy
    with contextlib.redirect_stdout(io.StringIO()):
        coco = COCO(str(root / 'instances.json'))
    checked = 0
    for ref in out['refs']:
        img_info = coco.imgs[ref['image_id']]
        with Image.open(root / 'train2014' / img_info['file_name']) as img:
            objects = []
            for ann in coco.imgToAnns[ref['image_id']]:
                x, y, w, h = ann['bbox']
                objects.append(
                    dict(
                        id=ann['id'],
                        shape=SHAPE_OF[ann['category_id']],
                        colour=_colour_of(img, ann['bbox']),
                        cx=x + w / 2,
                        cy=y + h / 2,
                    )
                )
        for s in ref['sentences']:
            found = _resolve(s['sent'], objects)
            assert [o['id'] for o in found] == [ref['ann_id']], s['sent']
            checked += 1
    assert checked > 60


def test_scene_variety():
    rng = np.random.default_rng(5)
    shapes, colours, counts, kinds = set(), set(), set(), set()
    for _ in range(60):
        img, objects = make_toy_refcoco_scene(rng, 64)
        assert img.size == (64, 64)
        counts.add(len(objects))
        for o in objects:
            shapes.add(o['shape'])
            colours.add(o['colour'])
            for e in o['expressions']:
                kinds.add(
                    'position'
                    if any(w in e for w in ('left', 'right', 'top', 'bottom'))
                    else 'attribute'
                )
        assert any(o['expressions'] for o in objects)
    assert counts == {2, 3}
    assert shapes == set(TOY_REFCOCO_CATEGORIES)
    assert colours == set(TOY_REFCOCO_COLOURS)
    assert kinds == {'position', 'attribute'}


def test_shapes_sit_on_the_patch_grid_and_the_recipe_coder_is_exact():
    """Default scenes: corners on the 16 px grid (the ViT's patches), sides
    of 2-3 cells, a free cell between shapes; BinBoxCoder(7) (the toy
    recipe's coder, bins on the patch borders) writes every box exactly."""
    from vltoolkit.tokenization import BinBoxCoder

    coder = BinBoxCoder(num_bins=7, token_fmt='<loc_{}>')
    rng = np.random.default_rng(7)
    sides = set()
    for _ in range(80):
        img, objects = make_toy_refcoco_scene(rng)
        assert img.size == (96, 96)
        for i, o in enumerate(objects):
            x1, y1, x2, y2 = o['bbox']
            assert all(v % 16 == 0 for v in o['bbox'])
            assert x2 - x1 == y2 - y1
            sides.add((x2 - x1) // 16)
            back = coder.decode(coder.encode(o['bbox'], (96, 96)), (96, 96))
            np.testing.assert_allclose(back, o['bbox'], atol=1e-9)
            for p in objects[i + 1 :]:  # at least one cell apart
                a, b = o['bbox'], p['bbox']
                assert (
                    a[2] + 16 <= b[0] or b[2] + 16 <= a[0] or a[3] + 16 <= b[1] or b[3] + 16 <= a[1]
                )
    assert sides == {2, 3}


def test_free_placement_keeps_the_old_scenes():
    """grid=None with the multi-task set's arguments: 2-4 shapes at any
    pixel, sides 15-27% of the image."""
    rng = np.random.default_rng(3)
    counts, off_grid = set(), 0
    for _ in range(60):
        _, objects = make_toy_refcoco_scene(
            rng, 96, num_shapes=(2, 4), size_range=(0.15, 0.27), grid=None
        )
        counts.add(len(objects))
        for o in objects:
            x1, y1, x2, y2 = o['bbox']
            assert 14 <= x2 - x1 <= 27
            off_grid += any(v % 16 for v in o['bbox'])
    assert counts == {2, 3, 4} and off_grid > 50


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match='img_size must be an integer >= 48'):
        make_toy_refcoco(tmp_path, 1, 1, img_size=20)
    with pytest.raises(ValueError, match='num_val must be a non-negative'):
        make_toy_refcoco(tmp_path, 1, -1)
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match='num_shapes'):
        make_toy_refcoco_scene(rng, 96, num_shapes=(3, 2))
    with pytest.raises(ValueError, match='size_range'):
        make_toy_refcoco_scene(rng, 96, size_range=(0.2, 1.5))
    with pytest.raises(ValueError, match='grid'):
        make_toy_refcoco_scene(rng, 96, grid=60)


def test_dataset_reads_toy(toy):
    root, out = toy
    for split in ('train', 'val'):
        ds = RefCOCODataset(
            data_root=str(root), split=split, data_prefix=dict(img_path='train2014')
        )
        assert len(ds) == sum(len(r['sentences']) for r in out['refs'] if r['split'] == split)
        info = ds.get_data_info(0)
        assert Path(info['img_path']).is_file()
        assert info['task'] == 'grounding'


def test_cli(tmp_path, capsys):
    cli = load_tool('data/make_toy.py')
    out = tmp_path / 'cli'
    assert (
        cli.main(
            ['refcoco', '--out', str(out), '--num-train', '3', '--num-val', '2', '--img-size', '64']
        )
        == 0
    )
    assert (out / 'instances.json').is_file()
    refs = pickle.loads((out / 'refs(unc).p').read_bytes())
    assert {r['split'] for r in refs} == {'train', 'val'}
    err = capsys.readouterr().err
    assert 'expressions' in err and 'toy RefCOCO set' in err
    assert cli.main(['refcoco', '--out', str(out), '--img-size', '8']) == 1
    assert 'img_size must be' in capsys.readouterr().err
