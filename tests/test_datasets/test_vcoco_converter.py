"""V-COCO constants and the official-release -> HOIA converter.

The converter runs on the real V-COCO fixture (6 train images of
``s-gupta/v-coco``) joined with a **synthetic** COCO instances file written by
the test: the real images, the real annotation ids referenced by V-COCO, but
made-up boxes and categories (no COCO boxes are shipped with the fixtures).
"""

import copy
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import FIXTURES, ROOT
from vltoolkit.datasets.vcoco_converter import (
    VCOCOFormatError,
    check_hoia_records,
    convert_vcoco,
    load_vcoco_actions,
    summarize_hoia,
)
from vltoolkit.datasets.vcoco_meta import (
    COCO_CATEGORIES,
    COCO_CATEGORY_IDS,
    COCO_ID_TO_NAME,
    COCO_NAME_TO_ID,
    VCOCO_ACTIONS,
    VCOCO_AGENT_ONLY_CLASS_INDICES,
    VCOCO_CLASSES,
    VCOCO_RELATION_PHRASES,
    correspondence_matrix,
)

VCOCO_JSON = FIXTURES / 'vcoco_train_subset6.json'
VCOCO_IDS = FIXTURES / 'vcoco_train_subset6.ids'
CORRE = FIXTURES / 'corre_vcoco.npy'

# hitachi-rd-cv/qpic datasets/vcoco_eval.py (hard-coded there)
QPIC_VERBS = [
    'hold_obj',
    'stand',
    'sit_instr',
    'ride_instr',
    'walk',
    'look_obj',
    'hit_instr',
    'hit_obj',
    'eat_obj',
    'eat_instr',
    'jump_instr',
    'lay_instr',
    'talk_on_phone_instr',
    'carry_obj',
    'throw_obj',
    'catch_obj',
    'cut_instr',
    'cut_obj',
    'run',
    'work_on_computer_instr',
    'ski_instr',
    'surf_instr',
    'skateboard_instr',
    'smile',
    'drink_instr',
    'kick_obj',
    'point_instr',
    'read_obj',
    'snowboard_instr',
]
V = {name: i for i, name in enumerate(QPIC_VERBS)}


# --------------------------------------------------------------- constants
def test_classes_are_qpic_order():
    assert list(VCOCO_CLASSES) == QPIC_VERBS
    assert VCOCO_AGENT_ONLY_CLASS_INDICES == (1, 4, 18, 23)
    pairs = [a for a in VCOCO_ACTIONS for _ in a.roles]
    assert len(VCOCO_ACTIONS) == 26 and len(pairs) == 25
    assert sum(not a.roles for a in VCOCO_ACTIONS) == 4


def test_relation_phrases():
    assert set(VCOCO_RELATION_PHRASES) == set(VCOCO_CLASSES)
    assert len(set(VCOCO_RELATION_PHRASES.values())) == 29
    expect = {
        'eat_obj': 'eat',
        'eat_instr': 'eat with',
        'hit_obj': 'hit',
        'hit_instr': 'hit with',
        'cut_obj': 'cut',
        'cut_instr': 'cut with',
        'talk_on_phone_instr': 'talk on phone',
        'work_on_computer_instr': 'work on computer',
        'stand': 'stand',
        'hold_obj': 'hold',
        'drink_instr': 'drink',
        'smile': 'smile',
    }
    for cls, phrase in expect.items():
        assert VCOCO_RELATION_PHRASES[cls] == phrase


def test_coco_categories():
    assert len(COCO_CATEGORIES) == 80
    assert list(COCO_CATEGORY_IDS) == sorted(COCO_CATEGORY_IDS)
    missing = set(range(1, 91)) - set(COCO_CATEGORY_IDS)
    assert missing == {12, 26, 29, 30, 45, 66, 68, 69, 71, 83}
    assert (
        COCO_NAME_TO_ID['cell phone'] == 77
        and COCO_ID_TO_NAME[1] == 'person'
        and COCO_NAME_TO_ID['dining table'] == 67
    )


def test_correspondence_matrix_equals_qpic_file():
    ref = np.load(CORRE)
    mat = correspondence_matrix()
    assert mat.dtype == ref.dtype == np.float64 and mat.shape == (29, 80)
    np.testing.assert_array_equal(mat, ref)
    with_no_obj = correspondence_matrix(no_object_column=True)
    assert with_no_obj.shape == (29, 81) and (with_no_obj[:, 80] == 1).all()


def test_actions_match_the_official_file():
    data = json.loads(VCOCO_JSON.read_text())
    assert [d['action_name'] for d in data] == [a.name for a in VCOCO_ACTIONS]
    for entry, action in zip(data, VCOCO_ACTIONS):
        assert entry['role_name'] == ['agent', *action.roles]
        assert entry['include'][0] == []
        assert [tuple(x) for x in entry['include'][1:]] == [tuple(x) for x in action.include]


# ------------------------------------------------------ synthetic COCO file
def _referenced(vcoco):
    """image id -> ordered referenced ann ids, and ann id -> category."""
    per_image, allowed, agents = {}, {}, set()
    for action in load_vcoco_actions(vcoco):
        incl = dict(
            zip(
                action['role_name'][1:],
                next(a.include for a in VCOCO_ACTIONS if a.name == action['action_name']),
            )
        )
        for img, row in zip(action['image_id'], action['role_object_id']):
            ids = per_image.setdefault(img, [])
            agents.add(int(row[0]))
            for role, ann in zip(['agent'] + action['role_name'][1:], row):
                ann = int(ann)
                if ann == 0:
                    continue
                if ann not in ids:
                    ids.append(ann)
                if role != 'agent' and incl[role]:
                    allowed.setdefault(ann, []).append(set(incl[role]))
    category = {}
    for anns in per_image.values():
        for ann in anns:
            if ann in agents:
                category[ann] = 1
            elif ann in allowed:
                names = set.intersection(*allowed[ann])
                category[ann] = COCO_NAME_TO_ID[sorted(names)[0]]
            else:
                category[ann] = COCO_NAME_TO_ID['handbag']
    return per_image, category


def synthetic_coco(vcoco):
    """SYNTHETIC instances file: real image/ann ids, made-up boxes.

    Per image: the referenced anns in reverse order plus one unreferenced ann
    (a chair) at a position that differs per image, so box indices differ
    from the V-COCO order; the images' annotations interleave in the file;
    one image outside the split is added.
    """
    per_image, category = _referenced(vcoco)
    images, anns = [], []
    for n, img in enumerate(sorted(per_image) + [999999]):
        images.append(
            dict(id=img, file_name=f'COCO_train2014_{img:012d}.jpg', width=640 - n, height=480 + n)
        )
    rows = []
    for n, (img, ids) in enumerate(sorted(per_image.items())):
        rows.append((n, dict(id=9000000 + n, image_id=img, category_id=62, iscrowd=0)))
        for m, ann in enumerate(reversed(ids)):
            rows.append((m + 1, dict(id=ann, image_id=img, category_id=category[ann], iscrowd=0)))
    rows.append((0, dict(id=9999999, image_id=999999, category_id=1, iscrowd=0)))
    rows.sort(key=lambda r: r[0])  # interleave images, stable per image
    for _, ann in rows:
        i = ann['id']
        ann['bbox'] = [float(i % 500), float(i // 7 % 400) + 0.5, 10.0 + i % 50, 20.25 + i % 60]
        ann['area'] = ann['bbox'][2] * ann['bbox'][3]
        anns.append(ann)
    return dict(
        info=dict(description='SYNTHETIC test file: real V-COCO ids, made-up boxes'),
        images=images,
        annotations=anns,
        categories=[dict(c, supercategory='') for c in COCO_CATEGORIES],
    )


@pytest.fixture
def vcoco():
    return json.loads(VCOCO_JSON.read_text())


@pytest.fixture
def coco_file(vcoco, tmp_path):
    path = tmp_path / 'instances_vcoco_synthetic.json'
    path.write_text(json.dumps(synthetic_coco(vcoco)))
    return path


def qpic_reference(vcoco_path, coco_path):
    """QPIC's convert_vcoco_annotations.py (set_hoi), transcribed."""
    from collections import defaultdict

    from pycocotools.coco import COCO

    coco = COCO(str(coco_path))
    box_annotations = defaultdict(lambda: {'annotations': [], 'annotation_ids': []})
    img_ids = coco.getImgIds()
    for img_info in coco.loadImgs(img_ids):
        box_annotations[img_info['id']]['file_name'] = img_info['file_name']
    for annotation in coco.loadAnns(coco.getAnnIds(imgIds=img_ids)):
        img_id = annotation['image_id']
        box = np.array(annotation['bbox'])
        box[2:] += box[:2]
        box_annotations[img_id]['annotations'].append(
            {'category_id': annotation['category_id'], 'bbox': box.tolist()}
        )
        box_annotations[img_id]['annotation_ids'].append(annotation['id'])
    hoi = json.loads(Path(vcoco_path).read_text())
    for x in hoi:  # vsrl_utils.load_vcoco
        x['role_object_id'] = np.array(x['role_object_id']).reshape((len(x['role_name']), -1)).T
        for j in ['ann_id', 'label', 'image_id']:
            x[j] = np.array(x[j]).reshape((-1, 1))
    verb_classes = []
    for action in hoi:
        if len(action['role_name']) == 1:
            verb_classes.append(action['action_name'])
        else:
            verb_classes += [
                '{}_{}'.format(action['action_name'], r) for r in action['role_name'][1:]
            ]
    out = defaultdict(lambda: {'annotations': [], 'hoi_annotation': []})
    for a in hoi:
        for label, img_id, role_ids in zip(
            a['label'][:, 0], a['image_id'][:, 0], a['role_object_id']
        ):
            out[img_id]['file_name'] = box_annotations[img_id]['file_name']
            out[img_id]['annotations'] = box_annotations[img_id]['annotations']
            if label == 0:
                continue
            ids = box_annotations[img_id]['annotation_ids']
            subject_id = ids.index(role_ids[0])
            if len(role_ids) == 1:
                out[img_id]['hoi_annotation'].append(
                    {
                        'subject_id': subject_id,
                        'object_id': -1,
                        'category_id': verb_classes.index(a['action_name']),
                    }
                )
                continue
            for role_name, role_id in zip(a['role_name'][1:], role_ids[1:]):
                object_id = -1 if role_id == 0 else ids.index(role_id)
                out[img_id]['hoi_annotation'].append(
                    {
                        'subject_id': subject_id,
                        'object_id': object_id,
                        'category_id': verb_classes.index(
                            '{}_{}'.format(a['action_name'], role_name)
                        ),
                    }
                )
    return [v for v in out.values()]


# ----------------------------------------------------------------- converter
def _hois_by_ann(rec, ann_ids):
    """hois as (subject ann id, object ann id or -1, verb name)."""
    return [
        (
            ann_ids[h['subject_id']],
            -1 if h['object_id'] < 0 else ann_ids[h['object_id']],
            VCOCO_CLASSES[h['category_id']],
        )
        for h in rec['hoi_annotation']
    ]


def _ann_ids(coco, img):
    return [a['id'] for a in coco['annotations'] if a['image_id'] == img]


def test_convert_matches_qpic_exactly(vcoco, coco_file):
    ours = convert_vcoco(VCOCO_JSON, VCOCO_IDS, coco_file, add_size=False)
    ref = qpic_reference(VCOCO_JSON, coco_file)
    assert json.dumps(ours) == json.dumps(ref)


def test_convert_records(vcoco, coco_file):
    coco = json.loads(coco_file.read_text())
    records = convert_vcoco(VCOCO_JSON, VCOCO_IDS, coco_file)
    check_hoia_records(records)
    split = [int(x) for x in VCOCO_IDS.read_text().split()]
    # one record per image of the split, none for the extra COCO image,
    # in first-appearance order of the V-COCO rows
    order = list(dict.fromkeys(vcoco[0]['image_id']))
    assert [r['file_name'] for r in records] == [f'COCO_train2014_{i:012d}.jpg' for i in order]
    assert sorted(order) == sorted(split) and len(records) == 6
    sizes = {i['id']: (i['width'], i['height']) for i in coco['images']}
    for img, rec in zip(order, records):
        assert (rec['width'], rec['height']) == sizes[img]
        # all COCO anns of the image, COCO order, x2 = x + w
        anns = [a for a in coco['annotations'] if a['image_id'] == img]
        assert len(rec['annotations']) == len(anns)
        for got, ann in zip(rec['annotations'], anns):
            x, y, w, h = ann['bbox']
            assert got == {'category_id': ann['category_id'], 'bbox': [x, y, x + w, y + h]}

    # image 143348: persons 1278119 (row 10) and 1314521 (row 11)
    rec = records[order.index(143348)]
    assert _hois_by_ann(rec, _ann_ids(coco, 143348)) == [
        (1278119, 655501, 'hold_obj'),
        (1278119, -1, 'stand'),
        (1314521, -1, 'stand'),
        (1278119, 304918, 'look_obj'),
        (1314521, 1278119, 'look_obj'),
        (1278119, 655501, 'hit_instr'),
        (1278119, 304918, 'hit_obj'),
        (1314521, -1, 'hit_instr'),
        (1314521, 304918, 'hit_obj'),
        (1278119, -1, 'jump_instr'),
        (1314521, -1, 'smile'),
    ]
    # eat has roles (obj, instr): one label gives 2 entries, role id 0 -> -1
    rec = records[order.index(91926)]
    eat = [h for h in _hois_by_ann(rec, _ann_ids(coco, 91926)) if h[2].startswith('eat')]
    assert eat == [
        (184556, -1, 'eat_obj'),
        (184556, 690414, 'eat_instr'),
        (192948, -1, 'eat_obj'),
        (192948, -1, 'eat_instr'),
    ]
    # agent-only verbs always have object -1
    for r in records:
        for h in r['hoi_annotation']:
            if h['category_id'] in VCOCO_AGENT_ONLY_CLASS_INDICES:
                assert h['object_id'] == -1
    # label-0 rows give nothing: per verb count = positives (x roles)
    stats = summarize_hoia(records)
    for action in vcoco:
        n_pos = sum(action['label'])
        names = (
            [action['action_name']]
            if len(action['role_name']) == 1
            else [f"{action['action_name']}_{r}" for r in action['role_name'][1:]]
        )
        for name in names:
            assert stats['per_verb'][name] == n_pos, name
    assert stats['images'] == 6 and stats['hois'] == sum(stats['per_verb'].values())


def test_label_zero_row_with_an_object_gives_nothing(vcoco, coco_file):
    data = copy.deepcopy(vcoco)
    hold = data[0]
    assert hold['label'][0] == 1 and hold['role_object_id'][12] == 690414
    base = convert_vcoco(data, None, coco_file)
    hold['label'][0] = 0
    cut = convert_vcoco(data, None, coco_file)
    coco = json.loads(coco_file.read_text())
    ids = _ann_ids(coco, 91926)
    before = _hois_by_ann(base[0], ids)
    after = _hois_by_ann(cut[0], ids)
    assert (184556, 690414, 'hold_obj') in before
    assert after == [h for h in before if h != (184556, 690414, 'hold_obj')]


def test_image_prefix_and_ids_only_image(vcoco, coco_file, tmp_path):
    ids = tmp_path / 'with_extra.ids'
    ids.write_text(VCOCO_IDS.read_text() + '999999\n')
    records = convert_vcoco(VCOCO_JSON, ids, coco_file, image_prefix='train2014/')
    assert len(records) == 7
    assert all(r['file_name'].startswith('train2014/COCO_train2014_') for r in records)
    assert records[-1]['file_name'].endswith('000000999999.jpg')
    assert records[-1]['hoi_annotation'] == []
    assert len(records[-1]['annotations']) == 1


def test_convert_with_loaded_inputs(vcoco, coco_file):
    coco = json.loads(coco_file.read_text())
    a = convert_vcoco(vcoco, VCOCO_IDS, coco)
    b = convert_vcoco(VCOCO_JSON, VCOCO_IDS, coco_file)
    assert a == b


# -------------------------------------------------------------------- errors
def test_missing_files(vcoco, coco_file, tmp_path):
    with pytest.raises(FileNotFoundError, match='v-coco'):
        convert_vcoco(tmp_path / 'vcoco_train.json', VCOCO_IDS, coco_file)
    with pytest.raises(FileNotFoundError, match='splits'):
        convert_vcoco(VCOCO_JSON, tmp_path / 'nope.ids', coco_file)
    with pytest.raises(FileNotFoundError, match='script_pick_annotations.py'):
        convert_vcoco(VCOCO_JSON, VCOCO_IDS, tmp_path / 'instances.json')


def test_missing_annotation_is_named(vcoco, coco_file):
    coco = json.loads(coco_file.read_text())
    coco['annotations'] = [a for a in coco['annotations'] if a['id'] != 2213716]
    with pytest.raises(VCOCOFormatError) as err:
        convert_vcoco(vcoco, VCOCO_IDS, coco)
    msg = str(err.value)
    assert '2213716' in msg and 'image 8813' in msg and "'hold'" in msg


def test_missing_image_is_named(vcoco, coco_file):
    coco = json.loads(coco_file.read_text())
    coco['images'] = [i for i in coco['images'] if i['id'] != 17520]
    with pytest.raises(VCOCOFormatError, match='image 17520'):
        convert_vcoco(vcoco, VCOCO_IDS, coco)


@pytest.mark.parametrize('key', ['label', 'role_object_id', 'action_name'])
def test_malformed_action_entry(vcoco, coco_file, key):
    data = copy.deepcopy(vcoco)
    del data[2][key]
    with pytest.raises(VCOCOFormatError) as err:
        convert_vcoco(data, VCOCO_IDS, coco_file)
    assert 'entry 2' in str(err.value) and repr(key) in str(err.value)


def test_bad_lengths_and_unknown_actions(vcoco, coco_file):
    data = copy.deepcopy(vcoco)
    data[6]['role_object_id'] = data[6]['role_object_id'][:-1]
    with pytest.raises(VCOCOFormatError, match=r"entry 6 \('hit'\).*N\*R"):
        convert_vcoco(data, VCOCO_IDS, coco_file)
    data = copy.deepcopy(vcoco)
    data[3]['label'] = data[3]['label'][:-1]
    with pytest.raises(VCOCOFormatError, match="entry 3.*'label'"):
        convert_vcoco(data, VCOCO_IDS, coco_file)
    data = copy.deepcopy(vcoco)
    data[0]['action_name'] = 'juggle'
    with pytest.raises(VCOCOFormatError, match='juggle_obj'):
        convert_vcoco(data, VCOCO_IDS, coco_file)


def test_ids_file_of_another_split(vcoco, coco_file, tmp_path):
    ids = tmp_path / 'other.ids'
    ids.write_text('1298\n8813\n')
    with pytest.raises(VCOCOFormatError, match='same split'):
        convert_vcoco(vcoco, ids, coco_file)


# ----------------------------------------------------------------------- CLI
def _load_cli():
    spec = importlib.util.spec_from_file_location(
        '_vltoolkit_cli_vcoco', ROOT / 'tools' / 'data' / 'vcoco.py'
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_cli(vcoco, coco_file, tmp_path, capsys):
    repo = tmp_path / 'v-coco'
    (repo / 'data' / 'vcoco').mkdir(parents=True)
    (repo / 'data' / 'splits').mkdir(parents=True)
    # the v-coco repo layout, pointing at the shared fixture (not copied)
    (repo / 'data' / 'vcoco' / 'vcoco_train.json').symlink_to(VCOCO_JSON.resolve())
    (repo / 'data' / 'splits' / 'vcoco_train.ids').symlink_to(VCOCO_IDS.resolve())
    cli = _load_cli()
    out = tmp_path / 'out' / 'train_vcoco.json'
    rc = cli.main(
        [
            '--vcoco-dir',
            str(repo),
            '--coco-ann',
            str(coco_file),
            '--split',
            'train',
            '--out',
            str(out),
        ]
    )
    assert rc == 0
    assert json.loads(out.read_text()) == convert_vcoco(VCOCO_JSON, VCOCO_IDS, coco_file)
    err = capsys.readouterr().err
    assert 'images' in err and 'pairs' in err and 'hold_obj' in err
    # the shared progress display, plain (captured: no terminal): one step
    # per action of the file
    total = len(json.loads(VCOCO_JSON.read_text()))
    assert f'V-COCO actions: {total}/{total} (100%)' in err

    rc = cli.main(
        [
            '--vcoco-dir',
            str(repo),
            '--coco-ann',
            str(coco_file),
            '--split',
            'test',
            '--out',
            str(tmp_path / 'x.json'),
        ]
    )
    assert rc == 1
    assert 'vcoco_test.json' in capsys.readouterr().err
