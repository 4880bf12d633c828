"""The toy captioning / region captioning / categorization set, its CLI, and
a multi-task pipeline over it (build_tokenizer included)."""

import json
from pathlib import Path

import numpy as np
import pytest
from mmengine.config import Config
from PIL import Image

from tests.conftest import load_tool
from vltoolkit.datasets import COCOCaptionDataset, COCOCategorizationDataset, VGRegionCaptionDataset
from vltoolkit.datasets.toy import TOY_REFCOCO_COLOURS, make_toy_regions, make_toy_regions_scene
from vltoolkit.datasets.transforms import restore_spans, sentinel_tokens
from vltoolkit.registry import DATASETS
from vltoolkit.tokenization import build_tokenizer


def _files(root):
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(Path(root).rglob('*'))
        if p.is_file()
    }


def _words(text):
    return text.lower().replace(',', ' , ').split()


def _load_tool(name):
    return load_tool(f'data/{name}.py')


@pytest.fixture(scope='module')
def toy(tmp_path_factory):
    root = tmp_path_factory.mktemp('toy_multitask')
    return root, make_toy_regions(root, num_train=12, num_val=4, seed=0)


def test_layout_and_determinism(toy, tmp_path):
    root, out = toy
    files = _files(root)
    for split, n in (('train', 12), ('val', 4)):
        for stem in ('captions', 'instances', 'region_descriptions', 'image_data'):
            assert f'annotations/{stem}_{split}.json' in files
        assert sum(k.startswith(f'images/{split}/') for k in files) == n
    assert json.loads(files['annotations/captions_train.json']) == out['train']['captions']
    assert json.loads(files['annotations/region_descriptions_val.json']) == out['val']['regions']
    make_toy_regions(tmp_path / 'again', num_train=12, num_val=4, seed=0)
    assert _files(tmp_path / 'again') == files
    short = make_toy_regions(tmp_path / 'short', num_train=12, num_val=1, seed=0)
    assert short['train'] == out['train']
    other = make_toy_regions(tmp_path / 'seed1', num_train=12, num_val=4, seed=1)
    assert other['train']['captions'] != out['train']['captions']
    with pytest.raises(ValueError, match='num_train'):
        make_toy_regions(tmp_path / 'bad', num_train=-1)
    with pytest.raises(ValueError, match='img_size'):
        make_toy_regions(tmp_path / 'bad', img_size=20)


def test_annotations_describe_the_pictures(toy):
    root, out = toy
    train = out['train']
    anns = {}
    for ann in train['instances']['annotations']:
        anns.setdefault(ann['image_id'], []).append(ann)
    names = {c['id']: c['name'] for c in train['instances']['categories']}
    assert names == {1: 'circle', 2: 'square', 3: 'triangle'}
    caps = {}
    for cap in train['captions']['annotations']:
        caps.setdefault(cap['image_id'], []).append(cap['caption'])
    for entry in train['regions']:
        image_id = entry['id']
        objs = anns[image_id]
        assert 2 <= len(objs) <= 4 and len(entry['regions']) == len(objs)
        img = np.asarray(Image.open(root / 'images' / 'train' / f'TOY_{image_id:012d}.png'))
        left_to_right, counts = caps[image_id]
        assert left_to_right.count(' a ') + left_to_right.startswith('a ') == len(objs)
        shapes = [
            names[o['category_id']]
            for o in sorted(objs, key=lambda o: (2 * o['bbox'][0] + o['bbox'][2], o['bbox'][1]))
        ]
        assert [
            w
            for w in left_to_right.replace(',', '').split()
            if w in ('circle', 'square', 'triangle')
        ] == shapes
        for shape in ('circle', 'square', 'triangle'):
            n = shapes.count(shape)
            if n == 1:
                assert f'a {shape}' in counts
            elif n > 1:
                assert f'{shape}s' in counts
        for obj, region in zip(objs, entry['regions']):
            # the region is the object: same box, and its phrase names its shape
            assert [region[k] for k in ('x', 'y', 'width', 'height')] == obj['bbox']
            assert names[obj['category_id']] in region['phrase']
            colour = next(c for c in TOY_REFCOCO_COLOURS if c in region['phrase'])
            x, y, w, h = obj['bbox']
            patch = img[y : y + h, x : x + w].reshape(-1, 3).astype(float)
            dist = np.abs(patch - TOY_REFCOCO_COLOURS[colour]).sum(1)
            assert (dist < 40).mean() > 0.3  # the shape fills a good part of its box


def test_real_loaders_read_it(toy):
    root, out = toy
    kw = dict(data_root=str(root))
    caps = COCOCaptionDataset(
        ann_file='annotations/captions_train.json', data_prefix=dict(img_path='images/train'), **kw
    )
    cats = COCOCategorizationDataset(
        ann_file='annotations/instances_train.json', data_prefix=dict(img_path='images/train'), **kw
    )
    regions = VGRegionCaptionDataset(
        ann_file='annotations/region_descriptions_train.json',
        image_data_file='annotations/image_data_train.json',
        data_prefix=dict(img_path='images'),
        **kw,
    )
    assert len(caps) == 24 and len(cats) == len(regions) == len(
        out['train']['instances']['annotations']
    )
    for ds in (caps, cats, regions):
        for i in range(len(ds)):
            assert Path(ds.get_data_info(i)['img_path']).is_file()
    assert cats.metainfo['classes'] == ('circle', 'square', 'triangle')
    assert regions.get_data_info(0)['gt_bboxes'] == cats.get_data_info(0)['gt_bboxes']


def test_scene_function():
    rng = np.random.default_rng(3)
    img, objects, captions, phrases = make_toy_regions_scene(rng, 64)
    assert img.size == (64, 64) and len(captions) == 2 and len(phrases) == len(objects)


def test_cli(tmp_path, capsys):
    cli = _load_tool('make_toy')
    out = tmp_path / 'cli'
    assert (
        cli.main(
            [
                'multitask',
                '--out',
                str(out),
                '--num-train',
                '3',
                '--num-val',
                '2',
                '--img-size',
                '64',
            ]
        )
        == 0
    )
    assert (out / 'annotations' / 'captions_val.json').is_file()
    err = capsys.readouterr().err
    assert 'captions' in err and 'regions' in err
    assert cli.main(['multitask', '--out', str(out), '--img-size', '10']) == 1


# ------------------------------------------------------ multi-task pipeline
CONFIG = """
data_root = {root!r}
box_coder = dict(type='BinBoxCoder', num_bins=32, token_fmt='<loc_{{}}>')
tokenizer = dict(type='VLTokenizer', path={tok!r}, box_coder=box_coder,
                 extra_special_tokens=[f'<mask_{{i}}>' for i in range(4)])
prompt = dict(type='TaskPrompt', box_coder=box_coder)


def pipe(step):
    return [dict(type='LoadImage'), dict(type='ClipBoxesToImage'),
            dict(type='ResizeImageAndBoxes', scale=(48, 48)), step,
            dict(type='TokenizeText', tokenizer=tokenizer),
            dict(type='PackVLInputs')]


train_dataloader = dict(dataset=dict(type='MultiTaskDataset', datasets=[
    dict(type='COCOCaptionDataset', data_root=data_root, task='span_masking',
         ann_file='annotations/captions_train.json',
         data_prefix=dict(img_path='images/train'),
         pipeline=pipe(dict(type='SpanMasking', max_spans=6))),
    dict(type='COCOCaptionDataset', data_root=data_root, per_image=True,
         ann_file='annotations/captions_train.json',
         data_prefix=dict(img_path='images/train'), pipeline=pipe(prompt)),
    dict(type='VGRegionCaptionDataset', data_root=data_root,
         ann_file='annotations/region_descriptions_train.json',
         image_data_file='annotations/image_data_train.json',
         data_prefix=dict(img_path='images'), pipeline=pipe(prompt)),
    dict(type='COCOCategorizationDataset', data_root=data_root,
         ann_file='annotations/instances_train.json',
         data_prefix=dict(img_path='images/train'), pipeline=pipe(prompt)),
]))
"""


def test_multitask_pipeline_and_tokenizer(toy, tmp_path):
    root, _ = toy
    tok_dir = tmp_path / 'tokenizer'
    cfg_path = tmp_path / 'cfg.py'
    cfg_path.write_text(CONFIG.format(root=str(root), tok=str(tok_dir)))
    cfg = Config.fromfile(str(cfg_path))
    tool = _load_tool('build_tokenizer')
    leaves = tool.leaf_datasets(cfg.train_dataloader.dataset)
    assert [c['type'] for c, _ in leaves] == [
        'COCOCaptionDataset',
        'COCOCaptionDataset',
        'VGRegionCaptionDataset',
        'COCOCategorizationDataset',
    ]
    assert all(c['pipeline'] == [] and len(p) == 6 for c, p in leaves)
    special = tool.collect_special_tokens(cfg)
    # location tokens, the tokenizer's 4 sentinels, then the pipeline's 2 more
    assert special == [f'<loc_{i}>' for i in range(32)] + sentinel_tokens(6)
    texts = tool.collect_texts(cfg)
    assert 'What does the region {region} describe?' in texts
    assert 'What is the complete text of "{masked}"?' in texts
    assert 'circle' in texts  # a category name
    tool.train_word_level_tokenizer(texts, str(tok_dir), special_tokens=special)

    ds = DATASETS.build(cfg.train_dataloader.dataset)
    assert ds.tasks == ['span_masking', 'caption', 'region_caption', 'categorization']
    tok = build_tokenizer(cfg.tokenizer)
    sentinel_ids = set(tok.tokenizer.convert_tokens_to_ids(sentinel_tokens(6)))
    assert len(sentinel_ids) == 6
    for task, indices in ds.task_indices.items():
        for idx in indices[:5]:
            out = ds[idx]
            sample = out['data_samples']
            assert sample.task == task
            ids = out['inputs']['input_ids'].tolist() + out['inputs']['labels'].tolist()
            assert tok.tokenizer.unk_token_id not in ids, (task, sample.prompt)
            if task == 'span_masking':
                assert sentinel_ids & set(ids)
                masked = sample.prompt[len('What is the complete text of "') : -2]
                info = ds.get_data_info(idx)
                # the decoded target is lower-cased with punctuation split off
                restored = restore_spans(masked, tok.decode(out['inputs']['labels']))
                assert _words(restored) == _words(info['caption'])
            if task in ('region_caption', 'categorization'):
                assert tok.location_index_of_id[out['inputs']['input_ids']].ge(0).sum() == 4
