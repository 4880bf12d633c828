"""COCOCaptionDataset and COCOCategorizationDataset.

No real COCO captions / instances excerpt is among the shared fixtures, so
these files are written here in the official layout (annotations_trainval2014:
``images`` / ``annotations`` / ``categories``); the caption texts are real
COCO captions quoted in public docs.
"""

import json

import numpy as np
import pytest
from PIL import Image

from vltoolkit.datasets import AnnotationError, COCOCaptionDataset, COCOCategorizationDataset
from vltoolkit.registry import DATASETS
from vltoolkit.tokenization import BinBoxCoder

IMAGES = [
    dict(
        license=3,
        file_name='COCO_train2014_000000057870.jpg',
        height=480,
        width=640,
        id=57870,
        coco_url='',
        date_captured='',
        flickr_url='',
    ),
    dict(
        license=4,
        file_name='COCO_train2014_000000384029.jpg',
        height=429,
        width=640,
        id=384029,
        coco_url='',
        date_captured='',
        flickr_url='',
    ),
    dict(
        license=1, file_name='COCO_train2014_000000000009.jpg', height=480, width=640, id=9
    ),  # no caption
]
CAPTIONS = [
    dict(image_id=57870, id=787980, caption='A restaurant has modern wooden tables and chairs.'),
    dict(
        image_id=384029,
        id=789366,
        caption='A man preparing desserts in a kitchen covered in frosting.',
    ),
    dict(
        image_id=57870,
        id=789256,
        caption='A long restaurant table with rattan rounded back chairs.\n',
    ),
    dict(image_id=384029, id=789888, caption='  '),  # empty: skipped
]
CATEGORIES = [
    dict(supercategory='person', id=1, name='person'),
    dict(supercategory='furniture', id=62, name='chair'),
    dict(supercategory='furniture', id=67, name='dining table'),
]
INSTANCES = [
    dict(
        id=1,
        image_id=57870,
        category_id=62,
        bbox=[10.5, 20.0, 100.0, 50.25],
        area=1.0,
        iscrowd=0,
        segmentation=[[0, 0, 1, 0, 1, 1]],
    ),
    dict(
        id=2,
        image_id=57870,
        category_id=67,
        bbox=[600.0, 400.0, 100.0, 100.0],
        area=1.0,
        iscrowd=0,
        segmentation=[[0, 0, 1, 0, 1, 1]],
    ),  # clipped
    dict(
        id=3,
        image_id=384029,
        category_id=1,
        bbox=[5, 5, 200, 300],
        area=1.0,
        iscrowd=1,
        segmentation=dict(counts=[], size=[429, 640]),
    ),  # crowd
    dict(
        id=4,
        image_id=384029,
        category_id=1,
        bbox=[5, 5, 0.5, 30],
        area=1.0,
        iscrowd=0,
        segmentation=[[0, 0, 1, 0, 1, 1]],
    ),  # < 1 px wide
    dict(
        id=5,
        image_id=9,
        category_id=1,
        bbox=[0, 0, 64, 48],
        area=1.0,
        iscrowd=0,
        segmentation=[[0, 0, 1, 0, 1, 1]],
    ),
]


def _write(root, name, images=IMAGES, annotations=CAPTIONS, categories=None):
    ann_dir = root / 'annotations'
    ann_dir.mkdir(parents=True, exist_ok=True)
    data = dict(
        info=dict(description='COCO 2014 Dataset'),
        licenses=[],
        images=images,
        annotations=annotations,
    )
    if categories is not None:
        data['categories'] = categories
    (ann_dir / name).write_text(json.dumps(data))
    return root


def _captions(root, **kwargs):
    return COCOCaptionDataset(
        data_root=str(root),
        ann_file='annotations/captions_train2014.json',
        data_prefix=dict(img_path='train2014'),
        **kwargs,
    )


def _instances(root, **kwargs):
    return COCOCategorizationDataset(
        data_root=str(root),
        ann_file='annotations/instances_train2014.json',
        data_prefix=dict(img_path='train2014'),
        **kwargs,
    )


# ------------------------------------------------------------------ captions
def test_one_sample_per_caption(tmp_path):
    root = _write(tmp_path, 'captions_train2014.json')
    ds = DATASETS.build(
        dict(
            type='COCOCaptionDataset',
            data_root=str(root),
            ann_file='annotations/captions_train2014.json',
            data_prefix=dict(img_path='train2014'),
        )
    )
    assert len(ds) == 3
    infos = [ds.get_data_info(i) for i in range(3)]
    # grouped by image (in caption order), whitespace collapsed, case kept
    assert [(i['image_id'], i['ann_id']) for i in infos] == [
        (57870, 787980),
        (57870, 789256),
        (384029, 789366),
    ]
    assert infos[1]['caption'] == ('A long restaurant table with rattan rounded back chairs.')
    assert infos[0]['img_path'] == str(root / 'train2014' / 'COCO_train2014_000000057870.jpg')
    assert infos[0]['task'] == 'caption'
    assert (infos[0]['width'], infos[0]['height']) == (640, 480)
    assert 'gt_captions' not in infos[0]


def test_one_sample_per_image(tmp_path):
    root = _write(tmp_path, 'captions_train2014.json')
    ds = _captions(root, per_image=True, task='span_masking')
    assert len(ds) == 2
    first = ds.get_data_info(0)
    assert first['caption'] == 'A restaurant has modern wooden tables and chairs.'
    assert first['gt_captions'] == [
        'A restaurant has modern wooden tables and chairs.',
        'A long restaurant table with rattan rounded back chairs.',
    ]
    assert first['ann_ids'] == [787980, 789256] and first['task'] == 'span_masking'


def test_caption_pipeline(tmp_path):
    root = _write(tmp_path, 'captions_train2014.json')
    (root / 'train2014').mkdir()
    Image.new('RGB', (640, 480)).save(root / 'train2014' / IMAGES[0]['file_name'])
    ds = _captions(
        root,
        pipeline=[
            dict(type='LoadImage'),
            dict(type='ResizeImageAndBoxes', scale=(32, 32)),
            dict(type='SpanMasking', mask_ratio=0.3),
            dict(type='PackVLInputs'),
        ],
    )
    sample = ds[0]['data_samples']
    assert sample.prompt.startswith('What is the complete text of "')
    assert sample.target_text.startswith('<mask_0> ')


def test_caption_errors(tmp_path):
    with pytest.raises(
        FileNotFoundError, match='captions_train2014.json does not exist.*make_toy.py multitask'
    ):
        _captions(tmp_path)
    (tmp_path / 'annotations').mkdir()
    (tmp_path / 'annotations' / 'captions_train2014.json').write_text('[1, 2]')
    with pytest.raises(ValueError, match='not a COCO annotation file'):
        _captions(tmp_path)
    (tmp_path / 'annotations' / 'captions_train2014.json').write_text('{"x": ')
    with pytest.raises(ValueError, match='not valid JSON'):
        _captions(tmp_path)
    bad = [dict(c) for c in CAPTIONS]
    del bad[2]['caption']
    _write(tmp_path, 'captions_train2014.json', annotations=bad)
    with pytest.raises(
        AnnotationError,
        match=r"annotations\[2\]: missing key "
        r"'caption'.*COCOCategorizationDataset",
    ):
        _captions(tmp_path)
    bad = [dict(c) for c in CAPTIONS]
    bad[1]['image_id'] = 123
    _write(tmp_path, 'captions_train2014.json', annotations=bad)
    with pytest.raises(
        AnnotationError,
        match=r"annotations\[1\]: image_id 123 is "
        'not in the "images"',
    ):
        _captions(tmp_path)
    bad[1] = dict(CAPTIONS[1], caption=5)
    _write(tmp_path, 'captions_train2014.json', annotations=bad[:2])
    with pytest.raises(AnnotationError, match='caption 5 is not a string'):
        _captions(tmp_path)
    _write(tmp_path, 'captions_train2014.json', images=IMAGES + IMAGES[:1])
    with pytest.raises(AnnotationError, match=r'images\[3\]: image id 57870 is also images\[0\]'):
        _captions(tmp_path)
    _write(tmp_path, 'captions_train2014.json', annotations=CAPTIONS[3:])
    with pytest.raises(ValueError, match='has no caption'):
        _captions(tmp_path)


# ---------------------------------------------------------- categorization
def test_categorization(tmp_path):
    root = _write(
        tmp_path, 'instances_train2014.json', annotations=INSTANCES, categories=CATEGORIES
    )
    ds = _instances(root)
    assert ds.metainfo['classes'] == ('person', 'chair', 'dining table')
    infos = [ds.get_data_info(i) for i in range(len(ds))]
    # the crowd box and the sub-pixel box are skipped
    assert [i['ann_id'] for i in infos] == [1, 2, 5]
    assert infos[0]['gt_bboxes'] == [[10.5, 20.0, 110.5, 70.25]]
    assert infos[0]['category'] == 'chair' and infos[0]['category_id'] == 62
    assert infos[0]['task'] == 'categorization'
    # a box reaching outside its 640x480 image is clipped to it
    assert infos[1]['gt_bboxes'] == [[600.0, 400.0, 640.0, 480.0]]
    assert infos[1]['category'] == 'dining table'
    assert infos[2]['img_path'].endswith('train2014/COCO_train2014_000000000009.jpg')
    everything = _instances(root, skip_crowd=False, min_size=0)
    assert [everything.get_data_info(i)['ann_id'] for i in range(len(everything))] == [
        1,
        2,
        3,
        4,
        5,
    ]


def test_categorization_prompt(tmp_path):
    root = _write(
        tmp_path, 'instances_train2014.json', annotations=INSTANCES, categories=CATEGORIES
    )
    (root / 'train2014').mkdir()
    Image.new('RGB', (640, 480)).save(root / 'train2014' / IMAGES[0]['file_name'])
    coder = dict(type='BinBoxCoder', num_bins=100, token_fmt='<loc_{}>')
    ds = _instances(
        root,
        pipeline=[
            dict(type='LoadImage'),
            dict(type='ClipBoxesToImage'),
            dict(type='ResizeImageAndBoxes', scale=(64, 48)),
            dict(type='TaskPrompt', box_coder=coder),
            dict(type='PackVLInputs'),
        ],
    )
    sample = ds[0]['data_samples']
    box = np.array([10.5, 20.0, 110.5, 70.25]) / 10
    tokens = ''.join(BinBoxCoder(100, '<loc_{}>').encode(box, (64, 48)))
    assert sample.prompt == f'What is the category of the region {tokens}?'
    assert sample.target_text == 'chair'


def test_categorization_errors(tmp_path):
    with pytest.raises(
        FileNotFoundError, match='instances_train2014.json does not exist.*annotations_trainval2014'
    ):
        _instances(tmp_path)
    _write(tmp_path, 'instances_train2014.json', annotations=INSTANCES)
    with pytest.raises(ValueError, match='no "categories".*COCOCaptionDataset'):
        _instances(tmp_path)
    for change, match in (
        (dict(category_id=999), r'annotations\[0\]: category_id 999 is not'),
        (dict(bbox=[1, 2, 3]), r'annotations\[0\]: bbox \[1, 2, 3\] is not'),
        (dict(bbox=[1, 2, -3, 4]), r'w, h >= 0'),
        (dict(image_id=5), r'image_id 5 is not in the "images"'),
    ):
        bad = [dict(INSTANCES[0], **change)] + INSTANCES[1:]
        _write(tmp_path, 'instances_train2014.json', annotations=bad, categories=CATEGORIES)
        with pytest.raises(AnnotationError, match=match):
            _instances(tmp_path)
    bad = [dict(INSTANCES[0])]
    del bad[0]['bbox']
    _write(tmp_path, 'instances_train2014.json', annotations=bad, categories=CATEGORIES)
    with pytest.raises(AnnotationError, match=r"missing key 'bbox'"):
        _instances(tmp_path)
    _write(tmp_path, 'instances_train2014.json', annotations=INSTANCES[2:4], categories=CATEGORIES)
    with pytest.raises(ValueError, match='no usable object.*1 crowd, 1 small'):
        _instances(tmp_path)
    _write(tmp_path, 'instances_train2014.json', annotations=INSTANCES, categories=[dict(id=1)])
    with pytest.raises(
        AnnotationError,
        match=r'categories\[0\]: needs an id and '
        'a non-empty name',
    ):
        _instances(tmp_path)


def test_duplicate_image_records_are_refused(tmp_path):
    """Two ``images`` records of one file (under two ids) are refused naming
    both, in both COCO loaders (issue 22, part 7)."""
    again = dict(IMAGES[0], id=999)
    _write(tmp_path, 'captions_train2014.json', images=IMAGES + [again])
    match = r'images\[3\]: COCO_train2014_000000057870.jpg is also images\[0\]: an image must'
    with pytest.raises(AnnotationError, match=match):
        _captions(tmp_path)
    _write(
        tmp_path,
        'instances_train2014.json',
        images=IMAGES + [again],
        annotations=INSTANCES,
        categories=CATEGORIES,
    )
    with pytest.raises(AnnotationError, match=match):
        _instances(tmp_path)


def test_zero_area_boxes_are_refused_or_skipped_on_request(tmp_path):
    """COCO's own instances files hold ``h = 0`` boxes (the box of annotation
    2206849, image 550395, is written here as it is): refused by default,
    naming the record and the option; ``zero_area_boxes='skip'`` skips them."""
    zero = dict(INSTANCES[0], id=2206849, bbox=[9.98, 188.56, 5.54, 0.0], area=0.0)
    _write(
        tmp_path,
        'instances_train2014.json',
        annotations=INSTANCES + [zero],
        categories=CATEGORIES,
    )
    with pytest.raises(
        AnnotationError,
        match=r"annotations\[5\]: bbox \[9.98, 188.56, 5.54, 0.0\] has zero area "
        r"\(w == 0 or h == 0\); fix or drop the annotation, or set zero_area_boxes='skip'",
    ):
        _instances(tmp_path)
    ds = _instances(tmp_path, zero_area_boxes='skip')
    assert [ds.get_data_info(i)['ann_id'] for i in range(len(ds))] == [1, 2, 5]
    with pytest.raises(ValueError, match="zero_area_boxes='drop'"):
        _instances(tmp_path, zero_area_boxes='drop')
