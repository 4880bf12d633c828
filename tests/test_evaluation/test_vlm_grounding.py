"""Grounding parsers of the pretrained VLMs against transformers' own
post-processors, on random answers (well-formed, truncated and garbage)."""

import random

import pytest

from vltoolkit.models.pretrained_vlms.florence2 import (
    FLORENCE2_GROUNDING_TASKS,
    parse_florence2_grounding,
)
from vltoolkit.models.pretrained_vlms.kosmos2 import parse_kosmos2_grounding
from vltoolkit.tokenization import Florence2BoxCoder, PatchIndexBoxCoder

WORDS = [
    'a',
    'red',
    'circle',
    'dog',
    ' ',
    'the man',
    '<s>',
    '</s>',
    '<pad>',
    '<ground>',
    '<obj>',
    '<od>',
    '.',
    'é',
    '<poly>',
]
N_TEXTS = 3000


@pytest.fixture(scope='module')
def processors(tmp_path_factory):
    from transformers import AutoTokenizer, CLIPImageProcessor, Florence2Processor, Kosmos2Processor

    from vltoolkit.models.pretrained_vlms.toy import build_toy_tokenizer

    words = ['a red circle dog the man']
    f2_dir = str(tmp_path_factory.mktemp('f2'))
    build_toy_tokenizer('florence2', words, f2_dir)
    image_processor = CLIPImageProcessor(size=dict(height=32, width=32), do_center_crop=False)
    image_processor.image_seq_length = 5
    f2_tok = AutoTokenizer.from_pretrained(f2_dir, extra_special_tokens={'image_token': '<image>'})
    f2 = Florence2Processor(
        image_processor=image_processor,
        tokenizer=f2_tok,
        post_processor_config={
            k: {} for k in ('phrase_grounding', 'pure_text', 'description_with_bboxes', 'bboxes')
        },
    )
    k2_dir = str(tmp_path_factory.mktemp('k2'))
    build_toy_tokenizer('kosmos2', words, k2_dir)
    k2 = Kosmos2Processor(
        image_processor=image_processor, tokenizer=AutoTokenizer.from_pretrained(k2_dir)
    )
    return f2, k2


def florence2_text(rng):
    parts = []
    for _ in range(rng.randint(0, 6)):
        parts.append(rng.choice(WORDS) if rng.random() < 0.7 else '')
        n = rng.choice([0, 1, 3, 4, 4, 4, 8, 9])
        parts += [f'<loc_{rng.randint(0, 999)}>' for _ in range(n)]
    return ''.join(parts)


def test_florence2_equals_post_process_generation(processors):
    f2, _ = processors
    coder, rng = Florence2BoxCoder(), random.Random(0)
    mismatches, boxes = 0, 0
    for i in range(N_TEXTS):
        text = florence2_text(rng)
        wh = (rng.randint(1, 1500), rng.randint(1, 1500))
        for task in FLORENCE2_GROUNDING_TASKS:
            ref = f2.post_process_generation(text, task=task, image_size=wh)[task]
            got = parse_florence2_grounding(text, coder, wh, task)
            got_int = [[int(v) for v in b] for b in got['bboxes']]
            mismatches += (got_int != ref['bboxes']) or (got['labels'] != ref['labels'])
            boxes += len(ref['bboxes'])
    assert mismatches == 0
    assert boxes > 5000  # the texts exercise the parser


def test_florence2_bad_task_and_garbage():
    coder = Florence2BoxCoder()
    with pytest.raises(ValueError, match='grounding task'):
        parse_florence2_grounding('', coder, (10, 10), task='<CAPTION>')
    assert parse_florence2_grounding(None, coder, (10, 10)) == dict(bboxes=[], labels=[])


def kosmos2_text(rng):
    parts = [rng.choice(['', '<grounding>', '<grounding> An image of'])]
    for _ in range(rng.randint(0, 5)):
        if rng.random() < 0.7:
            parts.append(f'<phrase>{rng.choice(WORDS[:6])}</phrase>')
        pairs = [
            f'<patch_index_{rng.randint(0, 1023):04d}><patch_index_{rng.randint(0, 1023):04d}>'
            for _ in range(rng.choice([1, 1, 2, 3]))
        ]
        obj = '<object>' + '</delimiter_of_multi_objects/>'.join(pairs) + '</object>'
        if rng.random() < 0.1:
            obj = obj[: rng.randint(0, len(obj))]  # truncated
        parts.append(obj)
        parts.append(rng.choice(['', ' and', ' is near ', '.']))
    return ''.join(parts)


def test_kosmos2_equals_post_process_generation(processors):
    _, k2 = processors
    coder, rng = PatchIndexBoxCoder(32), random.Random(1)
    mismatches, entities = 0, 0
    for _ in range(N_TEXTS):
        text = kosmos2_text(rng)
        ref = k2.post_process_generation(text)
        got = parse_kosmos2_grounding(text, coder)
        mismatches += got[0] != ref[0] or got[1] != ref[1]
        entities += len(ref[1])
    assert mismatches == 0
    assert entities > 3000
