"""RefCOCODataset (vltoolkit.datasets.refcoco) and its TaskPrompt (task grounding)."""

import json
import pickle
import struct

import numpy as np
import pytest
from PIL import Image

from vltoolkit.datasets import AnnotationError, RefCOCODataset, load_refs
from vltoolkit.datasets.transforms import TaskPrompt
from vltoolkit.registry import DATASETS, TRANSFORMS
from vltoolkit.tokenization import BinBoxCoder, PatchIndexBoxCoder


# ----------------------------------------------------------------- fixtures
def _ref(ref_id, ann_id, image_id, split, sents, category_id=1):
    sentences = [
        dict(tokens=s.split(), raw=s.upper(), sent_id=ref_id * 10 + j, sent=s)
        for j, s in enumerate(sents)
    ]
    return dict(
        ref_id=ref_id,
        ann_id=ann_id,
        image_id=image_id,
        split=split,
        sentences=sentences,
        sent_ids=[s['sent_id'] for s in sentences],
        category_id=category_id,
        file_name=f'COCO_train2014_{image_id:012d}_{ref_id}.jpg',
    )


def _refs():
    # the documented first record of refcoco (unc), then a few more
    return [
        _ref(
            0,
            1719310,
            581857,
            'train',
            ['the lady with the blue shirt', 'lady with back to us', 'blue shirt'],
        ),
        _ref(1, 1719311, 581857, 'testA', ['man on the left']),
        _ref(2, 300, 30, 'testB', ['red bus', 'bus'], category_id=6),
        _ref(3, 301, 30, 'val', ['car behind the bus'], category_id=3),
    ]


def _instances():
    return dict(
        info={},
        licenses=[],
        images=[
            dict(id=581857, file_name='COCO_train2014_000000581857.jpg', width=640, height=480),
            dict(id=30, file_name='COCO_train2014_000000000030.jpg', width=200, height=100),
        ],
        annotations=[
            dict(
                id=1719310,
                image_id=581857,
                category_id=1,
                bbox=[103.93, 299.99, 134.22, 177.23],
                area=1.0,
                iscrowd=0,
                segmentation=[[0, 0, 1, 0, 1, 1]],
            ),
            dict(
                id=1719311,
                image_id=581857,
                category_id=1,
                bbox=[0.0, 10.5, 50.0, 400.0],
                area=1.0,
                iscrowd=0,
                segmentation=[[0, 0, 1, 0, 1, 1]],
            ),
            dict(
                id=300,
                image_id=30,
                category_id=6,
                bbox=[10, 20, 100, 50],
                area=1.0,
                iscrowd=0,
                segmentation=[[0, 0, 1, 0, 1, 1]],
            ),
            dict(
                id=301,
                image_id=30,
                category_id=3,
                bbox=[120, 30, 80, 70],
                area=1.0,
                iscrowd=0,
                segmentation=[[0, 0, 1, 0, 1, 1]],
            ),
        ],
        categories=[dict(id=1, name='person'), dict(id=3, name='car'), dict(id=6, name='bus')],
    )


def _write(root, refs=None, instances=None, refs_bytes=None):
    root.mkdir(parents=True, exist_ok=True)
    if refs_bytes is None:
        refs_bytes = pickle.dumps(_refs() if refs is None else refs, protocol=2)
    (root / 'refs(unc).p').write_bytes(refs_bytes)
    (root / 'instances.json').write_text(
        json.dumps(_instances() if instances is None else instances)
    )
    return root


def _build(root, **kwargs):
    kwargs.setdefault('split', 'train')
    return RefCOCODataset(data_root=str(root), data_prefix=dict(img_path='train2014'), **kwargs)


def py2_dumps(obj) -> bytes:
    """A protocol-2 pickle as Python 2's cPickle writes it: ``str`` as byte
    strings (SHORT_BINSTRING / BINSTRING), ints as BININT, floats BINFLOAT."""
    out = bytearray(b'\x80\x02')

    def emit(x):
        if isinstance(x, dict):
            out.extend(b'}(')
            for k, v in x.items():
                emit(k)
                emit(v)
            out.extend(b'u')
        elif isinstance(x, list):
            out.extend(b'](')
            for v in x:
                emit(v)
            out.extend(b'e')
        elif isinstance(x, str):
            raw = x.encode('utf-8')
            if len(raw) < 256:
                out.extend(b'U' + bytes([len(raw)]) + raw)
            else:
                out.extend(b'T' + struct.pack('<i', len(raw)) + raw)
        elif isinstance(x, bool):
            out.extend(b'\x88' if x else b'\x89')
        elif isinstance(x, int):
            out.extend(b'J' + struct.pack('<i', x))
        elif isinstance(x, float):
            out.extend(b'G' + struct.pack('>d', x))
        else:
            raise TypeError(type(x))

    emit(obj)
    out.extend(b'.')
    return bytes(out)


# -------------------------------------------------------------------- tests
def test_samples_one_per_sentence(tmp_path):
    root = _write(tmp_path / 'refcoco')
    ds = _build(root)
    assert len(ds) == 3  # the three sentences of ref 0
    info = ds.get_data_info(0)
    # img_path: the COCO file_name of instances.json, not the ref's file_name
    assert info['img_path'] == str(root / 'train2014' / 'COCO_train2014_000000581857.jpg')
    # COCO [x, y, w, h] -> [x1, y1, x2, y2], continuous (no +1)
    np.testing.assert_allclose(info['gt_bboxes'], [[103.93, 299.99, 238.15, 477.22]])
    assert info['task'] == 'grounding'
    assert [ds.get_data_info(i)['expression'] for i in range(3)] == [
        'the lady with the blue shirt',
        'lady with back to us',
        'blue shirt',
    ]
    assert (
        info['ref_id'],
        info['ann_id'],
        info['image_id'],
        info['sent_id'],
        info['category_id'],
    ) == (0, 1719310, 581857, 0, 1)
    assert (info['width'], info['height']) == (640, 480)
    assert 'target_text' not in info  # written by TaskPrompt


def test_splits(tmp_path):
    root = _write(tmp_path / 'refcoco')

    def infos(ds):
        return [ds.get_data_info(i) for i in range(len(ds))]

    assert [i['ref_id'] for i in infos(_build(root, split='testA'))] == [1]
    assert [i['expression'] for i in infos(_build(root, split='testB'))] == ['red bus', 'bus']
    val = _build(root, split='val').get_data_info(0)
    assert val['gt_bboxes'] == [[120.0, 30.0, 200.0, 100.0]]
    assert len(_build(root, split=['testA', 'testB'])) == 3
    with pytest.raises(ValueError, match=r'unknown RefCOCO split .*trainval'):
        _build(root, split='trainval')
    # refcoco (unc) has no plain 'test' split: say which splits there are
    with pytest.raises(ValueError, match='testA, testB, train, val'):
        _build(root, split='test')


def test_registered_and_lazy(tmp_path):
    root = _write(tmp_path / 'refcoco')
    ds = DATASETS.build(
        dict(type='RefCOCODataset', data_root=str(root), split='train', lazy_init=True)
    )
    assert not ds._fully_initialized
    ds.full_init()
    assert len(ds) == 3
    # absolute split / annotation files work without data_root
    ds = RefCOCODataset(
        split_file=str(root / 'refs(unc).p'), ann_file=str(root / 'instances.json'), split='val'
    )
    assert ds.get_data_info(0)['img_path'] == 'COCO_train2014_000000000030.jpg'


def test_python2_pickle_with_byte_strings(tmp_path):
    refs = _refs()
    refs[0]['sentences'][0]['sent'] = 'the lady in the café'
    root = _write(tmp_path / 'py2', refs_bytes=py2_dumps(refs))
    assert load_refs(str(root / 'refs(unc).p')) == refs
    ds = _build(root)
    assert ds.get_data_info(0)['expression'] == 'the lady in the café'
    assert ds.get_data_info(0)['ann_id'] == 1719310


class _Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        import os

        return os.system, (f'touch {self.marker}',)


def test_restricted_unpickler_refuses_code(tmp_path):
    marker = tmp_path / 'pwned'
    root = _write(tmp_path / 'evil', refs_bytes=pickle.dumps([_Evil(marker)], protocol=2))
    with pytest.raises(ValueError, match=r'cannot be loaded safely.*system'):
        _build(root)
    assert not marker.exists()
    # any class at all, even a harmless one, is refused
    import collections

    _write(root, refs_bytes=pickle.dumps([collections.OrderedDict(a=1)], protocol=2))
    with pytest.raises(ValueError, match='OrderedDict is not allowed'):
        load_refs(str(root / 'refs(unc).p'))
    # builtin containers written by Python 3 protocols load
    _write(root, refs_bytes=pickle.dumps(_refs(), protocol=4))
    assert len(_build(root)) == 3
    _write(root, refs_bytes=b'not a pickle at all')
    with pytest.raises(ValueError, match='not a readable pickle'):
        _build(root)
    _write(root, refs_bytes=pickle.dumps({'refs': []}))
    with pytest.raises(ValueError, match='expected a list of ref dicts'):
        _build(root)


def test_missing_files(tmp_path):
    with pytest.raises(FileNotFoundError, match=r'refs\(unc\).p does not exist.*lichengunc/refer'):
        _build(tmp_path)
    (tmp_path / 'refs(unc).p').write_bytes(pickle.dumps(_refs()))
    with pytest.raises(
        FileNotFoundError,
        match=r'instances.json does not exist.*lichengunc/refer'
        r'.*make_toy.py refcoco',
    ):
        _build(tmp_path)
    (tmp_path / 'instances.json').write_text('{"images": [')
    with pytest.raises(ValueError, match='instances.json is not valid JSON'):
        _build(tmp_path)


def test_ann_id_missing_from_instances(tmp_path):
    refs = _refs()
    refs[0]['ann_id'] = 42
    root = _write(tmp_path / 'r', refs=refs)
    with pytest.raises(AnnotationError) as err:
        _build(root)
    msg = str(err.value)
    assert 'refs(unc).p, ref 0 (record 0)' in msg
    assert 'ann_id 42 is not in' in msg and 'instances.json' in msg
    assert 'same refer dataset folder' in msg
    # a ref of an image absent from instances.json
    refs = _refs()
    refs[3]['image_id'] = 77
    _write(root, refs=refs)
    with pytest.raises(AnnotationError, match='ref 3 .*image_id 77 is not in'):
        _build(root, split='val')


@pytest.mark.parametrize('key', ['ref_id', 'ann_id', 'image_id', 'split', 'sentences'])
def test_malformed_ref_names_ref_and_key(tmp_path, key):
    refs = _refs()
    del refs[2][key]
    root = _write(tmp_path / 'r', refs=refs)
    with pytest.raises(AnnotationError) as err:
        _build(root)
    msg = str(err.value)
    assert f'missing key {key!r}' in msg and '(record 2)' in msg
    if key != 'ref_id':
        assert 'ref 2 ' in msg


def test_malformed_sentences_and_boxes(tmp_path):
    refs = _refs()
    refs[0]['sentences'][1] = dict(raw='X')
    root = _write(tmp_path / 'r', refs=refs)
    with pytest.raises(AnnotationError, match="ref 0 .*sentence 1 has no 'sent'"):
        _build(root)
    refs = _refs()
    refs[0]['sentences'] = 'the lady'
    _write(root, refs=refs)
    with pytest.raises(AnnotationError, match="ref 0 .*'sentences' must be a list"):
        _build(root)
    inst = _instances()
    inst['annotations'][0]['bbox'] = [1, 2, -3, 4]
    _write(root, instances=inst)
    with pytest.raises(AnnotationError, match=r'ref 0 .*bbox \[1, 2, -3, 4\]'):
        _build(root)
    _write(root, refs=[1, 2])
    with pytest.raises(AnnotationError, match='record 0.*not a dict'):
        _build(root)


# ------------------------------------------------------------ the transform
def test_grounding_prompt_bin_coder():
    coder = dict(type='BinBoxCoder', num_bins=1000, token_fmt='<bin_{}>')
    t = TRANSFORMS.build(dict(type='TaskPrompt', task='grounding', box_coder=coder))
    # box_coder test vector (docstring of BinBoxCoder), in img_shape (h, w)
    res = t(
        dict(
            expression='  the  red circle ',
            img_shape=(480, 640),
            gt_bboxes=np.array([[100.5, 50.25, 300.75, 400]], np.float32),
        )
    )
    assert res['prompt'] == 'Which region does the text "the red circle" describe?'
    assert res['target_text'] == '<bin_157><bin_105><bin_469><bin_832>'
    # a hair outside the image after a float32 resize is clipped, not an error
    res = t(dict(expression='x', img_shape=(96, 96), gt_bboxes=[[0, 0, 96.00001, 96.0]]))
    assert res['target_text'] == '<bin_0><bin_0><bin_999><bin_999>'


def test_grounding_prompt_patch_coder_and_template():
    coder = PatchIndexBoxCoder(32)
    t = TaskPrompt(coder, task='grounding', templates=dict(grounding='where is {expression}?'))
    res = t(
        dict(expression='dog', img_shape=(100, 200), gt_bboxes=[[50, 25, 150, 50], [0, 0, 1, 1]])
    )
    assert res['prompt'] == 'where is dog?'
    assert res['target_text'] == ''.join(coder.encode([50, 25, 150, 50], (200, 100)))
    assert res['target_text'] == '<patch_index_0264><patch_index_0503>'
    with pytest.raises(KeyError, match="results\\['expression'\\]"):
        t(dict(img_shape=(10, 10), gt_bboxes=[[0, 0, 1, 1]]))


def test_pipeline_end_to_end(tmp_path):
    root = _write(tmp_path / 'refcoco')
    img_dir = root / 'train2014'
    img_dir.mkdir()
    Image.new('RGB', (640, 480), (10, 20, 30)).save(img_dir / 'COCO_train2014_000000581857.jpg')
    coder = dict(type='BinBoxCoder', num_bins=1000)
    ds = _build(
        root,
        pipeline=[
            dict(type='LoadImage'),
            dict(type='ClipBoxesToImage'),
            dict(type='ResizeImageAndBoxes', scale=(96, 64)),
            dict(type='TaskPrompt', task='grounding', box_coder=coder),
            dict(
                type='PackVLInputs', data_keys=('prompt', 'target_text', 'gt_bboxes', 'expression')
            ),
        ],
    )
    out = ds[1]
    sample = out['data_samples']
    assert out['inputs']['image'].shape == (3, 64, 96)
    assert sample.img_shape == (64, 96) and sample.task == 'grounding'
    assert sample.expression == 'lady with back to us'
    assert sample.prompt == 'Which region does the text "lady with back to us" describe?'
    # the target encodes the resized box; decoding it gives that box back
    box = np.array([103.93, 299.99, 238.15, 477.22]) * np.array([96 / 640, 64 / 480] * 2)
    np.testing.assert_allclose(sample.gt_bboxes[0], box, rtol=1e-5)
    decoded = BinBoxCoder(1000).decode(sample.target_text, (96, 64))
    np.testing.assert_allclose(decoded, box, atol=96 / 999 / 2 + 1e-6)


def test_duplicate_records_and_zero_area_boxes_are_refused(tmp_path):
    """Issue 22, part 7: a second record of one image or one ref, and a
    zero-area box, are refused naming the record."""
    inst = _instances()
    inst['images'].append(dict(inst['images'][1], id=31))  # the file of image 30 again
    root = _write(tmp_path / 'r', instances=inst)
    with pytest.raises(
        AnnotationError,
        match=r'instances.json, images\[2\]: COCO_train2014_000000000030.jpg is also '
        r'images\[1\]: an image must have one record',
    ):
        _build(root)
    _write(root, refs=_refs() + [_refs()[1]])
    with pytest.raises(
        AnnotationError, match=r'ref 1 \(record 4\): ref_id 1 is also record 1: a ref must'
    ):
        _build(root)
    inst = _instances()
    inst['annotations'][0]['bbox'] = [103.93, 299.99, 0.0, 177.23]
    _write(root, instances=inst)
    with pytest.raises(
        AnnotationError,
        match=r'ref 0 \(record 0\), annotation 1719310 of .*instances.json: bbox '
        r'\[103.93, 299.99, 0.0, 177.23\] has zero area \(w == 0 or h == 0\)',
    ):
        _build(root)
