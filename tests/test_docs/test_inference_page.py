"""docs/inference.md's example boxes sit on the objects of the images it names.

The page's toy run makes the 24 / 8-image toy HOI set (seed 0); its
examples quote boxes of ``images/test/000000.png`` and ``000001.png``. Here
the same set is drawn again and the quoted boxes, and the location tokens of
the quoted prompts, are checked against its ground truth.
"""

import json
import re

from tests.conftest import ROOT
from vltoolkit.datasets.toy import TOY_HOI_OBJECTS, make_toy_hoi
from vltoolkit.tokenization import PatchIndexBoxCoder

PAGE = (ROOT / 'docs' / 'inference.md').read_text()
# configs/_base_/datasets/hoi_toy.py: a 16 x 16 grid on 64 px images
CODER = PatchIndexBoxCoder(num_patches_per_side=16, token_fmt='<loc_{}>')


def _toy_test_records(tmp_path):
    make_toy = re.search(r'make_toy\.py hoi --out (\S+) --num-train (\d+) --num-test (\d+)', PAGE)
    assert make_toy, 'the toy run of the page makes the HOI set'
    make_toy_hoi(str(tmp_path), num_train=int(make_toy[2]), num_test=int(make_toy[3]), seed=0)
    return json.loads((tmp_path / 'annotations' / 'test.json').read_text())


def _boxes(record, category_id):
    return [a['bbox'] for a in record['annotations'] if a['category_id'] == category_id]


def _tokens(box):
    return ''.join(CODER.encode(box, (64, 64)))


def test_quoted_boxes_are_the_ground_truth(tmp_path):
    records = _toy_test_records(tmp_path)
    first = records[0]
    assert first['file_name'] == '000000.png'
    person, cup = _boxes(first, 1)[0], _boxes(first, TOY_HOI_OBJECTS['cup'])[0]
    # the Python example (hoi_input) and the command line (tools/infer.py)
    assert f'subject_box={person}' in PAGE and f'object_box={cup}' in PAGE
    cli = ' '.join(PAGE.split())
    for flag, box in (('--subject-box', person), ('--object-box', cup), ('--gt-box', cup)):
        assert f'{flag} {" ".join(map(str, box))}' in cli, flag
    # the prompt the page prints is the encoding of those boxes
    printed = f'person{_tokens(person)} and cup{_tokens(cup)}?'
    assert PAGE.count(printed) >= 2  # the Python result and the infer.py table
    # the hand-written prompt of 000001.png names its person and its ball
    second = records[1]
    ball = _boxes(second, TOY_HOI_OBJECTS['sports ball'])[0]
    prompt = f'person{_tokens(_boxes(second, 1)[0])} and sports ball{_tokens(ball)}?'
    quoted = re.search(r"'(data/\S+/000001\.png)',\s+'What is the interaction between (.+?)'", PAGE)
    assert quoted and quoted[2] == prompt, quoted and quoted[2]
