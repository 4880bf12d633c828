"""VGRegionCaptionDataset on the real Visual Genome fixtures (v1.2 and v1.0)."""

import copy
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.conftest import FIXTURES
from vltoolkit.datasets import AnnotationError, VGRegionCaptionDataset
from vltoolkit.registry import DATASETS

V12 = FIXTURES / 'vg_region_descriptions_subset3.json'
V10 = FIXTURES / 'vg_v1_0_region_descriptions_subset2.json'
IMAGE_DATA = FIXTURES / 'vg_image_data_subset3.json'


def _infos(ds):
    return [ds.get_data_info(i) for i in range(len(ds))]


def test_v1_2_layout_with_image_data():
    ds = DATASETS.build(
        dict(
            type='VGRegionCaptionDataset',
            ann_file=str(V12),
            image_data_file=str(IMAGE_DATA),
            data_prefix=dict(img_path='data/vg'),
        )
    )
    infos = _infos(ds)
    assert len(infos) == 24  # 3 images x 8 regions
    # formats.md: image 1, region 1382, "the clock is green in colour",
    # x=421, y=57, w=82, h=139 in an 800x600 image
    first = infos[0]
    assert first['region_id'] == 1382 and first['image_id'] == 1
    assert first['caption'] == 'the clock is green in colour'
    assert first['gt_bboxes'] == [[421.0, 57.0, 503.0, 196.0]]
    assert (first['width'], first['height']) == (800, 600)
    assert first['task'] == 'region_caption' and first['layout'] == 'v1.2'
    # the image folder comes from image_data's url (VG_100K_2 vs VG_100K)
    paths = {i['image_id']: i['img_path'] for i in infos}
    assert paths == {
        1: 'data/vg/VG_100K_2/1.jpg',
        2: 'data/vg/VG_100K/2.jpg',
        3: 'data/vg/VG_100K/3.jpg',
    }
    # trailing spaces of real phrases are dropped
    assert infos[1]['caption'] == 'shade is along the street'
    assert [i['image_id'] for i in infos] == [1] * 8 + [2] * 8 + [3] * 8
    assert infos[-1]['caption'] == 'A computer tower under a desk'


def test_v1_0_layout_matches_v1_2():
    old = _infos(VGRegionCaptionDataset(ann_file=str(V10)))
    new = _infos(VGRegionCaptionDataset(ann_file=str(V12)))
    assert len(old) == 16 and {i['layout'] for i in old} == {'v1.0'}
    by_id = {i['region_id']: i for i in new}
    # the same regions, read through the other keys ('id', 'image')
    shared = [i for i in old if i['region_id'] in by_id]
    assert len(shared) >= 8
    for info in shared:
        ref = by_id[info['region_id']]
        assert (info['image_id'], info['gt_bboxes'], info['caption']) == (
            ref['image_id'],
            ref['gt_bboxes'],
            ref['caption'],
        )
    # without image_data: '<image_id>.jpg' and no size
    assert old[0]['img_path'] == '1.jpg' and old[0]['width'] is None
    assert old[-1]['caption'] == 'A white car parked on the side of the road.'


def test_image_paths_and_splits(tmp_path):
    ds = VGRegionCaptionDataset(
        ann_file=str(V12), img_path_fmt='{image_id:06d}.png', data_prefix=dict(img_path='imgs')
    )
    assert ds.get_data_info(0)['img_path'] == 'imgs/000001.png'
    (tmp_path / 'split.json').write_text(json.dumps(dict(train=[1, 3], val=[2])))
    ds = VGRegionCaptionDataset(
        ann_file=str(V12), split_file=str(tmp_path / 'split.json'), split='val'
    )
    assert {i['image_id'] for i in _infos(ds)} == {2}
    with pytest.raises(ValueError, match=r"choose split= one of \['train', 'val'\]"):
        VGRegionCaptionDataset(ann_file=str(V12), split_file=str(tmp_path / 'split.json'))
    (tmp_path / 'ids.txt').write_text('3\n\n1\n')
    ds = VGRegionCaptionDataset(ann_file=str(V12), split_file=str(tmp_path / 'ids.txt'))
    assert {i['image_id'] for i in _infos(ds)} == {1, 3}
    (tmp_path / 'none.json').write_text('[99]')
    with pytest.raises(ValueError, match='gives no region.*keeps 1 image ids'):
        VGRegionCaptionDataset(ann_file=str(V12), split_file=str(tmp_path / 'none.json'))


def _edited(tmp_path, src, edit, name='regions.json'):
    data = json.loads(Path(src).read_text())
    edit(data)
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return str(path)


def test_clipping_and_skipping(tmp_path):

    def edit(data):
        regions = data[0]['regions']
        regions[0].update(x=790, width=30, y=-5)  # reaches out of the 800x600 image
        regions[1]['phrase'] = '   '  # empty: skipped
        regions[2].update(x=900)  # entirely outside: skipped
        regions[3].update(width=0)  # zero area: refused, or skipped on request

    path = _edited(tmp_path, V12, edit)
    with pytest.raises(
        AnnotationError,
        match=r"image entry 0 \(id 1\), region 3: bbox \[617, 377, 0, 36\] has zero area "
        r"\(w == 0 or h == 0\); fix or drop the annotation, or set zero_area_boxes='skip'",
    ):
        VGRegionCaptionDataset(ann_file=path, image_data_file=str(IMAGE_DATA))
    infos = _infos(
        VGRegionCaptionDataset(
            ann_file=path, image_data_file=str(IMAGE_DATA), zero_area_boxes='skip'
        )
    )
    assert len(infos) == 24 - 3
    assert infos[0]['gt_bboxes'] == [[790.0, 0.0, 800.0, 134.0]]  # y2 = -5 + 139


def test_duplicate_image_entries_are_refused(tmp_path):
    def twice(data):
        data.append(data[0])

    with pytest.raises(
        AnnotationError,
        match=r'image entry 3: image id 1 is also image entry 0: an image must have one record',
    ):
        VGRegionCaptionDataset(ann_file=_edited(tmp_path, V12, twice))
    records = json.loads(IMAGE_DATA.read_text())
    (tmp_path / 'image_data.json').write_text(json.dumps(records + records[1:2]))
    with pytest.raises(AnnotationError, match=r'record 3: image id 2 is also record 1'):
        VGRegionCaptionDataset(ann_file=str(V12), image_data_file=str(tmp_path / 'image_data.json'))


def test_bad_records(tmp_path):

    def drop(key, layout_src=V12):
        def edit(data):
            del data[1]['regions'][2][key]

        return _edited(tmp_path, layout_src, edit)

    with pytest.raises(
        AnnotationError,
        match=r"image entry 1 \(id 2\), region 2: "
        r"missing key 'phrase' \(VG v1.2",
    ):
        VGRegionCaptionDataset(ann_file=drop('phrase'))
    with pytest.raises(
        AnnotationError,
        match=r"region 2: missing key 'height' "
        r'\(VG v1.0 regions need id, image',
    ):
        VGRegionCaptionDataset(ann_file=drop('height', V10))
    with pytest.raises(AnnotationError, match='neither "image_id" .* nor "image"'):
        VGRegionCaptionDataset(ann_file=drop('image', V10))

    def wrong_image(data):
        data[0]['regions'][4]['image_id'] = 2

    with pytest.raises(
        AnnotationError,
        match=r"entry 0 \(id 1\), region 4: "
        'image_id 2 differs from its entry id 1',
    ):
        VGRegionCaptionDataset(ann_file=_edited(tmp_path, V12, wrong_image))

    def bad_box(data):
        data[2]['regions'][0]['width'] = 'wide'

    with pytest.raises(
        AnnotationError,
        match=r"image entry 2 \(id 3\), region 0: "
        "bbox .* is not",
    ):
        VGRegionCaptionDataset(ann_file=_edited(tmp_path, V12, bad_box))

    def not_entries(data):
        data[1] = copy.deepcopy(data[1]['regions'][0])

    with pytest.raises(AnnotationError, match=r'image entry 1: expected'):
        VGRegionCaptionDataset(ann_file=_edited(tmp_path, V12, not_entries))

    (tmp_path / 'dict.json').write_text('{"regions": []}')
    with pytest.raises(ValueError, match='must hold a list'):
        VGRegionCaptionDataset(ann_file=str(tmp_path / 'dict.json'))
    with pytest.raises(FileNotFoundError, match='does not exist.*visualgenome.org'):
        VGRegionCaptionDataset(ann_file=str(tmp_path / 'missing.json'))
    with pytest.raises(FileNotFoundError, match='VG image data file .* does not exist'):
        VGRegionCaptionDataset(ann_file=str(V12), image_data_file=str(tmp_path / 'missing.json'))


def test_region_caption_pipeline(tmp_path):
    # images are not among the fixtures: draw a blank 800x600 VG_100K_2/1.jpg
    (tmp_path / 'VG_100K_2').mkdir()
    Image.new('RGB', (800, 600), (90, 120, 60)).save(tmp_path / 'VG_100K_2' / '1.jpg')
    coder = dict(type='PatchIndexBoxCoder', num_patches_per_side=40, token_fmt='<loc_{}>')
    ds = VGRegionCaptionDataset(
        ann_file=str(V12),
        image_data_file=str(IMAGE_DATA),
        data_prefix=dict(img_path=str(tmp_path)),
        pipeline=[
            dict(type='LoadImage'),
            dict(type='ClipBoxesToImage'),
            dict(type='ResizeImageAndBoxes', scale=(160, 120)),
            dict(type='TaskPrompt', box_coder=coder),
            dict(type='PackVLInputs'),
        ],
    )
    sample = ds[0]['data_samples']
    from vltoolkit.tokenization import PatchIndexBoxCoder

    tokens = ''.join(
        PatchIndexBoxCoder(40, token_fmt='<loc_{}>').encode(
            np.array([421, 57, 503, 196]) / 5, (160, 120)
        )
    )
    assert sample.prompt == f'What does the region {tokens} describe?'
    assert sample.target_text == 'the clock is green in colour'
