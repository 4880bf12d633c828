"""Bad annotation files and records: each error names the file, the record
and the fix (issue 14, points 5 and 7)."""

import io
import json

import numpy as np
import pytest
from PIL import Image

from vltoolkit.datasets import AnnotationError, HOIRelationDataset
from vltoolkit.datasets.annotation_io import coco_box_to_xyxy, load_json_file
from vltoolkit.datasets.transforms import ClipBoxesToImage, LoadImage

from .test_hoi_relation_dataset import IMAGE


def _hoi(path):
    return HOIRelationDataset(ann_file=str(path), pipeline=[])


def test_truncated_json_names_the_file_and_says_truncated(tmp_path):
    text = json.dumps([IMAGE, IMAGE])
    (tmp_path / 'ann.json').write_text(text[: len(text) // 2])
    with pytest.raises(ValueError, match=r'ann\.json is not valid JSON.*truncated'):
        _hoi(tmp_path / 'ann.json')


def test_a_utf8_bom_is_accepted_and_other_encodings_are_named(tmp_path):
    (tmp_path / 'bom.json').write_bytes(b'\xef\xbb\xbf' + json.dumps([IMAGE]).encode())
    assert len(_hoi(tmp_path / 'bom.json')) == 3
    latin = json.dumps([dict(IMAGE, file_name='caf\u00e9.png')], ensure_ascii=False)
    (tmp_path / 'latin.json').write_bytes(latin.encode('latin-1'))
    with pytest.raises(ValueError, match=r'latin\.json is not UTF-8 .*0xe9.*iconv'):
        _hoi(tmp_path / 'latin.json')
    (tmp_path / 'utf16.json').write_bytes(json.dumps([IMAGE]).encode('utf-16'))
    with pytest.raises(ValueError, match=r'utf16\.json is UTF-16.*UTF-8'):
        _hoi(tmp_path / 'utf16.json')


def test_a_coco_style_dict_where_a_list_is_expected(tmp_path):
    coco = dict(images=[], annotations=[], categories=[])
    (tmp_path / 'coco.json').write_text(json.dumps(coco))
    with pytest.raises(
        ValueError,
        match=r'coco\.json holds a JSON object with keys '
        r'annotations, categories, images where a list of records is '
        r'expected.*tools/data/vcoco\.py',
    ):
        _hoi(tmp_path / 'coco.json')


def test_an_empty_list_is_refused(tmp_path):
    (tmp_path / 'empty.json').write_text('[]')
    with pytest.raises(ValueError, match=r'empty\.json holds no records'):
        _hoi(tmp_path / 'empty.json')


@pytest.mark.parametrize(
    'bbox, match',
    [
        ([1, 2, 10], 'is not \\[x1, y1, x2, y2\\]'),
        (['1', '2', '10', '20'], 'non-number.*not strings'),
        ([1, 2, float('nan'), 20], 'NaN or infinite'),
        ([1, 2, float('inf'), 20], 'NaN or infinite'),
    ],
)
def test_bad_boxes_name_file_record_and_annotation(tmp_path, bbox, match):
    image = json.loads(json.dumps(IMAGE))
    image['annotations'][1]['bbox'] = bbox
    (tmp_path / 'ann.json').write_text(json.dumps([IMAGE, image]))
    with pytest.raises(AnnotationError, match=match) as err:
        _hoi(tmp_path / 'ann.json')
    assert 'ann.json, image record 1 (a.png), annotation 1' in str(err.value)


def test_a_record_that_is_not_a_dict(tmp_path):
    (tmp_path / 'ann.json').write_text(json.dumps([IMAGE, ['a.png']]))
    with pytest.raises(AnnotationError, match=r'image record 1: is a list'):
        _hoi(tmp_path / 'ann.json')


def test_coco_boxes_refuse_strings():
    with pytest.raises(AnnotationError, match='f.json, ann 3.*not strings'):
        coco_box_to_xyxy(['1', 2, 3, 4], 'f.json, ann 3')
    # entirely outside: zero area, dropped (and counted) by the loaders
    assert coco_box_to_xyxy([50, 2, 3, 4], 'w', size=(40, 30)) == [40, 2, 40, 6]
    assert coco_box_to_xyxy([38, 2, 5, 4], 'w', size=(40, 30)) == [38, 2, 40, 6]


def test_load_json_file_type_check(tmp_path):
    (tmp_path / 'q.json').write_text('[1, 2]')
    with pytest.raises(
        ValueError,
        match=r'q\.json holds a list of 2 items where a '
        'JSON object is expected. run X',
    ):
        load_json_file(str(tmp_path / 'q.json'), 'question file', expect=dict, fix='run X')


# ------------------------------------------------------- transforms (point 5)
def _clip(boxes, shape=(30, 40)):
    return ClipBoxesToImage()(
        dict(img_shape=shape, img_path='x.png', sample_idx=5, gt_bboxes=boxes)
    )


def test_a_box_entirely_outside_the_image_is_refused_not_trained_as_zero_area():
    with pytest.raises(
        ValueError,
        match=r'x\.png \(sample 5\) lies entirely outside '
        'its 40x30 image',
    ):
        _clip([[1, 1, 5, 5], [45, 2, 60, 20]])
    with pytest.raises(ValueError, match='entirely outside'):
        _clip([[-10, -10, 0, 5]])


def test_nan_and_string_boxes_are_refused_by_the_transform():
    with pytest.raises(ValueError, match=r'x\.png \(sample 5\) has a NaN'):
        _clip([[1, 1, float('nan'), 5]])
    with pytest.raises(ValueError, match='are not numbers'):
        _clip([['1', '1', '5', '5']])


def _png(path, w, h):
    Image.fromarray(np.zeros((h, w, 3), np.uint8)).save(path)


def test_decoded_size_other_than_the_record_is_refused(tmp_path):
    _png(tmp_path / 'tiny.png', 1, 1)
    with pytest.raises(
        ValueError,
        match=r'tiny\.png \(sample 2\) decodes to 1x1 .* '
        'record says 40x30',
    ):
        LoadImage()(dict(img_path=str(tmp_path / 'tiny.png'), sample_idx=2, width=40, height=30))
    _png(tmp_path / 'ok.png', 40, 30)
    out = LoadImage()(dict(img_path=str(tmp_path / 'ok.png'), width=40, height=30))
    assert out['img_shape'] == (30, 40)


def test_exif_rotated_image_is_refused_with_the_reason(tmp_path):
    """Stored 40x30 with EXIF orientation 6 (rotate 90): decodes to 30x40."""
    exif = Image.Exif()
    exif[0x0112] = 6
    buf = io.BytesIO()
    Image.fromarray(np.zeros((30, 40, 3), np.uint8)).save(buf, 'JPEG', exif=exif)
    (tmp_path / 'turned.jpg').write_bytes(buf.getvalue())
    with pytest.raises(
        ValueError,
        match=r'decodes to 30x40 .*record says 40x30 '
        r'\(the width and height are swapped: an EXIF orientation',
    ):
        LoadImage()(dict(img_path=str(tmp_path / 'turned.jpg'), width=40, height=30))
