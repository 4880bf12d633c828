"""Images: a pixel cap read from the header before decoding, HOI records
checked against the decoded size, duplicate records and zero-area boxes
refused (issue 22, part 7)."""

import importlib.util
import json
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from tests.conftest import ROOT
from vltoolkit.apis import read_image
from vltoolkit.datasets import AnnotationError, HOIRelationDataset
from vltoolkit.datasets.transforms import LoadImage
from vltoolkit.utils.image_limits import ImageTooLargeError, check_image_pixels

from .test_hoi_relation_dataset import IMAGE


def _png_header(path, width, height):
    """A PNG whose header says ``width x height`` (a few bytes on disk; it
    would take width * height * 3 bytes decoded)."""

    def chunk(kind, data):
        return (
            struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))
        )

    ihdr = struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', ihdr) + chunk(b'IDAT', b'x'))
    return str(path)


def test_a_huge_png_is_refused_from_its_header_in_training(tmp_path):
    big = _png_header(tmp_path / 'big.png', 12000, 12000)
    with pytest.raises(ImageTooLargeError) as err:
        LoadImage()(dict(img_path=big, sample_idx=4))
    msg = str(err.value)
    assert 'big.png (sample 4) is 12000x12000 = 144.0 M pixels' in msg
    assert 'VLT_MAX_IMAGE_PIXELS' in msg and 'max_pixels' in msg
    huge = _png_header(tmp_path / 'huge.png', 20000, 20000)  # past PIL's own bomb limit
    with pytest.raises(ImageTooLargeError, match=r'huge.png \(sample 1\) is too large'):
        LoadImage()(dict(img_path=huge, sample_idx=1))


def test_the_cap_is_configurable(tmp_path, monkeypatch):
    small = tmp_path / 's.png'
    Image.fromarray(np.zeros((30, 40, 3), np.uint8)).save(small)
    assert check_image_pixels(str(small)) == (40, 30)
    with pytest.raises(ImageTooLargeError, match='40x30'):
        LoadImage(max_pixels=1000)(dict(img_path=str(small)))
    monkeypatch.setenv('VLT_MAX_IMAGE_PIXELS', '1000')
    with pytest.raises(ImageTooLargeError):
        read_image(str(small))
    monkeypatch.setenv('VLT_MAX_IMAGE_PIXELS', '0')  # off
    assert read_image(str(small))[0].shape == (30, 40, 3)


def test_infer_and_web_demo_refuse_before_decoding(tmp_path):
    big = _png_header(tmp_path / 'upload.png', 12000, 12000)
    with pytest.raises(ImageTooLargeError, match='input: image .*upload.png is 12000x12000'):
        read_image(big)  # tools/infer.py and the inferencer read through it
    spec = importlib.util.spec_from_file_location('web_demo_rel', ROOT / 'demo' / 'web_demo.py')
    web_demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(web_demo)
    backend = web_demo.DemoBackend([('cfg.py', 'none')])
    with pytest.raises(ImageTooLargeError, match='the uploaded image'):
        backend.answer('cfg (none)', big, 'prompt', 'hello')  # shown by gr.Error
    assert web_demo.parse_args(['--recipe', 'c.py', 'none']).max_upload_mb == 20


def test_hoi_records_are_checked_against_the_decoded_size(tmp_path):
    img_dir = tmp_path / 'images'
    img_dir.mkdir()
    Image.fromarray(np.zeros((60, 80, 3), np.uint8)).save(img_dir / 'a.png')  # 2x the record
    (tmp_path / 'ann.json').write_text(json.dumps([IMAGE]))
    dataset = HOIRelationDataset(
        ann_file=str(tmp_path / 'ann.json'),
        data_prefix=dict(img_path=str(img_dir)),
        pipeline=[dict(type='LoadImage')],
    )
    assert dataset.get_data_info(0)['width'] == 40
    with pytest.raises(ValueError, match=r'decodes to 80x60 .* but its record says 40x30'):
        dataset[0]


def test_duplicate_image_records_are_refused(tmp_path):
    (tmp_path / 'ann.json').write_text(
        json.dumps([IMAGE, dict(IMAGE, annotations=IMAGE['annotations'])])
    )
    with pytest.raises(AnnotationError, match=r'image record 1: a.png is also image record 0'):
        HOIRelationDataset(ann_file=str(tmp_path / 'ann.json'), pipeline=[])


def test_zero_area_boxes_are_refused(tmp_path):
    anns = [dict(IMAGE['annotations'][0]), dict(bbox=[5, 5, 5, 15], category_id=60)]
    anns += [IMAGE['annotations'][2]]
    (tmp_path / 'ann.json').write_text(json.dumps([dict(IMAGE, annotations=anns)]))
    with pytest.raises(
        AnnotationError, match=r'image record 0 \(a.png\), annotation 1: .*zero area'
    ):
        HOIRelationDataset(ann_file=str(tmp_path / 'ann.json'), pipeline=[])


def test_web_demo_caps_uploads_and_shows_errors_in_the_page(tmp_path, monkeypatch):
    """The upload cap reaches gradio (it refuses larger files before they are
    stored), and a non-image or an image above the pixel cap comes back as a
    readable error in the page (``gr.Error``), not a traceback."""
    gr = pytest.importorskip('gradio', reason='the web demo is an optional extra')
    spec = importlib.util.spec_from_file_location('web_demo_caps', ROOT / 'demo' / 'web_demo.py')
    web_demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(web_demo)
    launched = []

    class FakeDemo:
        def launch(self, **kwargs):
            launched.append(kwargs)

    monkeypatch.setattr(web_demo, 'build_demo', lambda backend: FakeDemo())
    web_demo.main(['--recipe', 'cfg.py', 'none'])
    web_demo.main(['--recipe', 'cfg.py', 'none', '--max-upload-mb', '5'])
    assert [kw['max_file_size'] for kw in launched] == [20 * 2**20, 5 * 2**20]

    monkeypatch.undo()
    demo = web_demo.build_demo(web_demo.DemoBackend([('cfg.py', 'none')]))
    run = next(f.fn for f in demo.fns.values() if f.api_name == 'predict')
    fake = tmp_path / 'upload.png'
    fake.write_bytes(b'MZ' + b'\0' * 4096)  # not an image, whatever its name says
    with pytest.raises(gr.Error, match=r'the uploaded image.*not an image'):
        run('cfg (none)', str(fake), 'prompt', 'hello', '', '', '')
    big = _png_header(tmp_path / 'big.png', 12000, 12000)
    with pytest.raises(gr.Error, match=r'the uploaded image.*12000x12000.*above the cap'):
        run('cfg (none)', big, 'prompt', 'hello', '', '', '')
