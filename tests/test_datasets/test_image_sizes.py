"""HOI records without width / height: the loader's warning names the tool
that adds them, and ``tools/data/add_image_sizes.py`` adds them from the
image headers, so the decoded size is then checked (issue 22, part 7)."""

import importlib.util
import io
import json

import numpy as np
import pytest
from PIL import Image

from tests.conftest import FIXTURES, ROOT
from vltoolkit.datasets import HOIRelationDataset
from vltoolkit.datasets.image_sizes import ImageSizeError, add_image_sizes, read_image_size

from .test_hoi_relation_dataset import IMAGE


def _tool():
    path = ROOT / 'tools' / 'data' / 'add_image_sizes.py'
    spec = importlib.util.spec_from_file_location('add_image_sizes_tool', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _qpic_records(tmp_path):
    """Two HOIA records without sizes (QPIC's layout) and their images."""
    img_dir = tmp_path / 'images'
    img_dir.mkdir()
    Image.fromarray(np.zeros((30, 40, 3), np.uint8)).save(img_dir / 'a.png')
    Image.fromarray(np.zeros((48, 64, 3), np.uint8)).save(img_dir / 'b.png')
    records = [dict(IMAGE), dict(IMAGE, file_name='b.png')]
    for rec in records:
        del rec['width'], rec['height']
    ann = tmp_path / 'ann.json'
    ann.write_text(json.dumps(records))
    return ann, img_dir


def _hoi(ann, img_dir):
    return HOIRelationDataset(
        ann_file=str(ann),
        data_prefix=dict(img_path=str(img_dir)),
        pipeline=[dict(type='LoadImage')],
    )


def test_the_warning_names_the_tool(tmp_path, monkeypatch):
    ann, img_dir = _qpic_records(tmp_path)
    said = []
    monkeypatch.setattr(
        'vltoolkit.datasets.image_sizes.print_log', lambda msg, **kw: said.append(msg)
    )
    dataset = _hoi(ann, img_dir)
    assert 'width' not in dataset.get_data_info(0)  # nothing to check the image against
    assert len(said) == 1
    assert '2 of 2 image records lack width / height' in said[0]
    assert f'python tools/data/add_image_sizes.py {ann} --img-dir' in said[0]


def test_the_tool_adds_sizes_and_the_loader_then_checks_them(tmp_path, monkeypatch):
    ann, img_dir = _qpic_records(tmp_path)
    out = tmp_path / 'sized.json'
    assert _tool().main([str(ann), '--img-dir', str(img_dir), '--out', str(out)]) == 0
    records = json.loads(out.read_text())
    assert [(r['width'], r['height']) for r in records] == [(40, 30), (64, 48)]
    assert [r['annotations'] for r in records] == [IMAGE['annotations']] * 2  # kept as they were
    said = []
    monkeypatch.setattr(
        'vltoolkit.datasets.image_sizes.print_log', lambda msg, **kw: said.append(msg)
    )
    dataset = _hoi(out, img_dir)
    assert said == []  # every record has a size now
    assert dataset[0]['img'].shape == (30, 40, 3)
    # an image replaced by one of another size is now caught, not trained on
    Image.fromarray(np.zeros((60, 80, 3), np.uint8)).save(img_dir / 'a.png')
    with pytest.raises(ValueError, match=r'decodes to 80x60 .* but its record says 40x30'):
        dataset[0]
    # a rerun onto the same file checks the sizes it wrote: a.png differs now
    assert _tool().main([str(out), '--img-dir', str(img_dir), '--out', str(out)]) == 1
    assert json.loads(out.read_text()) == records  # nothing written


def test_missing_images_and_sizes_that_differ_are_listed_and_nothing_is_changed(tmp_path):
    ann, img_dir = _qpic_records(tmp_path)
    records = json.loads(ann.read_text())
    records[1]['width'], records[1]['height'] = 128, 96  # b.png is 64x48
    records.append(dict(records[0], file_name='gone.png'))
    before = json.dumps(records)
    with pytest.raises(ImageSizeError) as err:
        add_image_sizes(records, str(img_dir), 'ann.json')
    msg = str(err.value)
    assert 'ann.json: 2 of 3 image records cannot be given their size' in msg
    assert 'record 1: ' in msg and 'b.png is 64x48 but the record says 128x96' in msg
    assert 'record 2: ' in msg and 'gone.png does not exist' in msg
    assert json.dumps(records) == before


def test_exif_turned_images_and_boxes_outside_are_reported(tmp_path):
    img_dir = tmp_path / 'images'
    img_dir.mkdir()
    exif = Image.Exif()
    exif[0x0112] = 6  # decoded turned by 90 degrees
    buf = io.BytesIO()
    Image.fromarray(np.zeros((30, 40, 3), np.uint8)).save(buf, 'JPEG', exif=exif)
    (img_dir / 'turned.jpg').write_bytes(buf.getvalue())
    Image.fromarray(np.zeros((15, 20, 3), np.uint8)).save(img_dir / 'half.png')
    assert read_image_size(str(img_dir / 'turned.jpg')) == (40, 30, True)
    records = [dict(IMAGE, file_name='turned.jpg'), dict(IMAGE, file_name='half.png')]
    for rec in records:
        del rec['width'], rec['height']
    report = add_image_sizes(records, str(img_dir))
    assert report['added'] == 2 and report['turned'] == [(0, 'turned.jpg')]
    # boxes 0 ([1, 2, 10, 20]) and 2 ([20, 2, 30, 25]) leave the 20x15 image by over a pixel
    assert report['outside'] == [(1, 'half.png', [0, 2])]


def test_coco_style_files_without_sizes_warn_and_the_tool_fills_them(tmp_path, monkeypatch):
    from vltoolkit.datasets import COCOCategorizationDataset, VGRegionCaptionDataset

    img_dir = tmp_path / 'images'
    img_dir.mkdir()
    Image.fromarray(np.zeros((30, 40, 3), np.uint8)).save(img_dir / 'a.png')
    instances = dict(
        images=[dict(id=1, file_name='a.png')],
        annotations=[dict(id=7, image_id=1, category_id=1, bbox=[1, 2, 10, 20])],
        categories=[dict(id=1, name='person')],
    )
    ann = tmp_path / 'instances.json'
    ann.write_text(json.dumps(instances))
    said = []
    monkeypatch.setattr(
        'vltoolkit.datasets.image_sizes.print_log', lambda msg, **kw: said.append(msg)
    )
    COCOCategorizationDataset(ann_file=str(ann), pipeline=[])
    assert len(said) == 1 and '1 of 1 image records lack width / height' in said[0]
    assert 'tools/data/add_image_sizes.py' in said[0]
    assert _tool().main([str(ann), '--img-dir', str(img_dir), '--out', str(ann)]) == 0
    assert json.loads(ann.read_text())['images'][0] == dict(
        id=1, file_name='a.png', width=40, height=30
    )
    said.clear()
    dataset = COCOCategorizationDataset(ann_file=str(ann), pipeline=[])
    assert said == [] and dataset.get_data_info(0)['width'] == 40
    # Visual Genome's sizes are in image_data.json: without it, the log says so
    logged = []
    monkeypatch.setattr(
        'vltoolkit.datasets.vg_regions.print_log', lambda msg, **kw: logged.append(msg)
    )
    VGRegionCaptionDataset(ann_file=str(FIXTURES / 'vg_region_descriptions_subset3.json'))
    assert any("give image_data_file='image_data.json'" in m for m in logged)
