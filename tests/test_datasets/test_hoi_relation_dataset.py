import json

import numpy as np
import pytest
from PIL import Image

from vltoolkit.datasets import AnnotationError, HOIRelationDataset
from vltoolkit.datasets.transforms import ClipBoxesToImage, LoadImage

IMAGE = {
    'file_name': 'a.png',
    'width': 40,
    'height': 30,
    'annotations': [
        {'bbox': [1, 2, 10, 20], 'category_id': 1},
        {'bbox': [5, 5, 15, 15], 'category_id': 60},
        {'bbox': [20, 2, 30, 25], 'category_id': 1},
    ],
    'hoi_annotation': [
        {'subject_id': 0, 'object_id': 1, 'category_id': 8},
        {'subject_id': 0, 'object_id': 1, 'category_id': 0},
        {'subject_id': 0, 'object_id': -1, 'category_id': 1},
        {'subject_id': 2, 'object_id': 1, 'category_id': 5},
    ],
}


def _dataset(tmp_path, images):
    (tmp_path / 'ann.json').write_text(json.dumps(images))
    return HOIRelationDataset(
        ann_file=str(tmp_path / 'ann.json'), data_prefix=dict(img_path=str(tmp_path)), pipeline=[]
    )


def test_pairs_group_relations_in_class_order(tmp_path):
    ds = _dataset(tmp_path, [IMAGE])
    assert len(ds) == 3
    first = ds[0]
    assert first['gt_relations'] == ['hold_obj', 'eat_obj']
    assert first['target_text'] == 'hold, eat'
    assert first['object_name'] == 'donut' and first['subject_name'] == 'person'
    assert first['gt_bboxes'] == [[1, 2, 10, 20], [5, 5, 15, 15]]
    person_only = ds[1]
    assert person_only['object_name'] is None and person_only['target_text'] == 'stand'
    assert ds[2]['gt_relations'] == ['look_obj']


@pytest.mark.parametrize(
    'mutate, match',
    [
        (lambda im: im.pop('annotations'), "missing field 'annotations'"),
        (lambda im: im['hoi_annotation'][0].pop('object_id'), "missing 'object_id'"),
        (lambda im: im['hoi_annotation'][0].update(category_id=29), 'unknown relation 29'),
        (lambda im: im['hoi_annotation'][0].update(object_id=7), 'object_id 7'),
        (lambda im: im['annotations'][1].update(bbox=[15, 5, 5, 15]), 'x2 < x1'),
        (lambda im: im['annotations'][1].update(category_id=12), 'category_id 12'),
    ],
)
def test_malformed_records_name_file_and_record(tmp_path, mutate, match):
    image = json.loads(json.dumps(IMAGE))
    mutate(image)
    with pytest.raises(AnnotationError, match=match) as err:
        _dataset(tmp_path, [IMAGE, image])
    assert 'ann.json' in str(err.value) and 'image record 1' in str(err.value)


def test_missing_annotation_file_says_how_to_prepare(tmp_path):
    with pytest.raises(FileNotFoundError, match='make_toy.py hoi'):
        HOIRelationDataset(ann_file=str(tmp_path / 'nope.json'), pipeline=[])


def test_missing_and_corrupted_image(tmp_path):
    with pytest.raises(FileNotFoundError, match=r'missing\.png.*sample 3'):
        LoadImage()(dict(img_path=str(tmp_path / 'missing.png'), sample_idx=3))
    (tmp_path / 'bad.png').write_bytes(b'not an image')
    with pytest.raises(ValueError, match=r'bad\.png.*corrupted'):
        LoadImage()(dict(img_path=str(tmp_path / 'bad.png'), sample_idx=4))
    Image.fromarray(np.zeros((30, 40, 3), np.uint8)).save(tmp_path / 'ok.png')
    out = LoadImage()(dict(img_path=str(tmp_path / 'ok.png')))
    assert out['img'].shape == (30, 40, 3) and out['img_shape'] == (30, 40)


def test_box_outside_image_is_clipped_and_counted():
    before = ClipBoxesToImage.num_clipped
    out = ClipBoxesToImage()(
        dict(
            img_shape=(30, 40),
            img_path='x.png',
            gt_bboxes=[[-2, 0, 10, 10], [0, 0, 41, 31], [1, 1, 2, 2]],
        )
    )
    np.testing.assert_array_equal(out['gt_bboxes'], [[0, 0, 10, 10], [0, 0, 40, 30], [1, 1, 2, 2]])
    assert ClipBoxesToImage.num_clipped == before + 2
    with pytest.raises(ValueError, match=r'x\.png.*x2 < x1'):
        ClipBoxesToImage()(dict(img_shape=(30, 40), img_path='x.png', gt_bboxes=[[9, 0, 1, 10]]))


def test_localization_queries_ask_for_the_object_box(tmp_path):
    from vltoolkit.datasets.transforms import HOIRelationPrompt

    (tmp_path / 'ann.json').write_text(json.dumps([IMAGE]))
    ds = HOIRelationDataset(
        ann_file=str(tmp_path / 'ann.json'), pipeline=[], localization_task='hoi_loc'
    )
    tasks = [ds[i]['task'] for i in range(len(ds))]
    # pairs with an object get a localisation query; the person-only pair does not
    assert tasks == ['hoi', 'hoi_loc', 'hoi', 'hoi', 'hoi_loc']
    prompt = HOIRelationPrompt(
        box_coder=dict(type='PatchIndexBoxCoder', num_patches_per_side=4, token_fmt='<loc_{}>')
    )
    info = dict(ds[1], img_shape=(40, 40), gt_bboxes=[[0, 0, 10, 10], [20, 20, 40, 40]])
    out = prompt(info)
    assert out['prompt'] == ('Where is the object that person<loc_0><loc_0> does "hold, eat" with?')
    assert out['target_text'] == 'donut<loc_10><loc_15>'
    assert out['gt_answer_bboxes'] == [[20, 20, 40, 40]]
    rel = prompt(dict(ds[0], img_shape=(40, 40), gt_bboxes=[[0, 0, 10, 10], [20, 20, 40, 40]]))
    assert rel['prompt'] == (
        'What is the interaction between person<loc_0><loc_0> and donut<loc_10><loc_15>?'
    )
    assert rel['target_text'] == 'hold, eat'
    with pytest.raises(KeyError, match="no prompt template for task 'vqa'"):
        prompt(dict(ds[0], task='vqa', img_shape=(40, 40)))


def test_target_with_undecodable_location_tokens_is_refused(tiny_tokenizer_cfg):
    from vltoolkit.datasets.transforms import TokenizeText

    tokenize = TokenizeText(tokenizer=tiny_tokenizer_cfg)  # 4x4 patches: <loc_0>..<loc_15>
    ok = tokenize(dict(prompt='person ?', target_text='donut<loc_1><loc_6>'))
    assert len(ok['labels']) > 2
    for bad, why in (('donut<loc_99><loc_6>', 'loc_99'), ('donut<loc_1>', 'multiple of 2')):
        with pytest.raises(ValueError, match=f'sample 7.*cannot decode.*{why}'):
            tokenize(dict(prompt='person ?', target_text=bad, sample_idx=7))
