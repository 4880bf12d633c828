"""TaskPrompt: the multi-task HOI study's task templates (and the shared prompt helpers)."""

import numpy as np
import pytest

from vltoolkit.datasets.transforms import TaskPrompt
from vltoolkit.datasets.transforms.prompt_utils import box_tokens, named_box, template_fields
from vltoolkit.datasets.transforms.task_prompt import (
    DEFAULT_TASK_TARGET_TEMPLATES,
    DEFAULT_TASK_TEMPLATES,
)
from vltoolkit.registry import TRANSFORMS
from vltoolkit.tokenization import BinBoxCoder, PatchIndexBoxCoder

# the multi-task HOI study's examples use 2 location tokens per box, <loc_0> ... <loc_1599>
SEED_CODER = dict(type='PatchIndexBoxCoder', num_patches_per_side=40, token_fmt='<loc_{}>')


def _prompt(**kwargs):
    kwargs.setdefault('box_coder', SEED_CODER)
    return TRANSFORMS.build(dict(type='TaskPrompt', **kwargs))


def test_seed_000_examples():
    t = _prompt()
    out = t(
        dict(
            task='region_caption',
            img_shape=(400, 400),
            gt_bboxes=np.array([[15, 25, 325, 295]], np.float32),
            caption='heavily embellished wedding sandals',
        )
    )
    assert out['prompt'] == 'What does the region <loc_81><loc_1192> describe?'
    assert out['target_text'] == 'heavily embellished wedding sandals'
    assert 'gt_answer_bboxes' not in out
    out = t(
        dict(
            task='categorization',
            img_shape=(400, 400),
            gt_bboxes=[[255, 205, 295, 335]],
            category='Human arm',
        )
    )
    assert out['prompt'] == 'What is the category of the region <loc_825><loc_1349>?'
    assert out['target_text'] == 'Human arm'


def test_every_default_task():
    coder = BinBoxCoder(1000, '<bin_{}>')
    t = TaskPrompt(box_coder=coder)
    assert set(t.templates) == {'region_caption', 'categorization', 'caption', 'vqa', 'grounding'}
    assert t.templates == DEFAULT_TASK_TEMPLATES
    assert t.target_templates == DEFAULT_TASK_TARGET_TEMPLATES
    box = [100.5, 50.25, 300.75, 400]
    tokens = ''.join(coder.encode(box, (640, 480)))
    base = dict(
        img_shape=(480, 640),
        gt_bboxes=[box],
        caption=' a  dog\n',
        category='dog',
        question='What colour is the dog?',
        answer='brown',
        expression='the dog on the left',
    )
    expect = {
        'region_caption': (f'What does the region {tokens} describe?', 'a dog'),
        'categorization': (f'What is the category of the region {tokens}?', 'dog'),
        'caption': ('What does the image describe?', 'a dog'),
        'vqa': ('What colour is the dog?', 'brown'),
        'grounding': ('Which region does the text "the dog on the left" describe?', tokens),
    }
    for task, (prompt, target) in expect.items():
        out = t(dict(base, task=task))
        assert (out['prompt'], out['target_text']) == (prompt, target), task
    # a box answer is also the grounding metrics' ground truth
    out = t(dict(base, task='grounding'))
    np.testing.assert_allclose(out['gt_answer_bboxes'], [box], rtol=1e-6)
    assert out['gt_answer_bboxes'].shape == (1, 4)


def test_grounding_target_is_the_clipped_box():
    coder = dict(type='BinBoxCoder', num_bins=1000, token_fmt='<bin_{}>')
    task = TRANSFORMS.build(dict(type='TaskPrompt', task='grounding', box_coder=coder))
    encoder = TRANSFORMS.build(dict(type='TaskPrompt', box_coder=coder)).box_coder
    for box in ([0, 0, 96.00001, 96.0], [10.2, 3.3, 50, 60]):  # a hair outside: clipped
        res = dict(
            expression='  the  red circle ',
            img_shape=(96, 96),
            gt_bboxes=np.array([box], np.float32),
        )
        out = task(dict(res))
        assert out['prompt'] == 'Which region does the text "the red circle" describe?'
        clipped = np.clip(np.asarray(box, np.float64), 0, 96)
        assert out['target_text'] == ''.join(encoder.encode(clipped, (96, 96)))


def test_one_task_and_optional_target():
    # task='vqa' keeps only the VQA templates: no box coder needed
    t = TaskPrompt(task='vqa', target_templates=dict(vqa=None))
    assert t.templates == dict(vqa='{question}') and t.target_templates == {}
    out = t(dict(question='what  colour?', multiple_choice_answer='red', task='other'))
    assert out['prompt'] == 'what colour?' and 'target_text' not in out
    with pytest.raises(ValueError, match="task 'count' has no prompt template"):
        TaskPrompt(task='count')
    # test data without a box: an error by default, a prompt only without require_target
    coder = dict(type='BinBoxCoder', num_bins=10)
    res = dict(expression='x', img_shape=(8, 8), gt_bboxes=np.zeros((0, 4)))
    with pytest.raises(ValueError, match='needs a box'):
        TaskPrompt(task='grounding', box_coder=coder)(dict(res))
    out = TaskPrompt(task='grounding', box_coder=coder, require_target=False)(dict(res))
    assert 'prompt' in out and 'target_text' not in out and 'gt_answer_bboxes' not in out


def test_overrides_custom_fields_and_removal():
    t = TaskPrompt(
        box_coder=PatchIndexBoxCoder(4, token_fmt='<loc_{}>'),
        templates=dict(caption='describe the {colour} picture', count='how many?', vqa=None),
        target_templates=dict(count='{num}', categorization=None),
    )
    out = t(dict(task='caption', colour='grey', caption='x'))
    assert out['prompt'] == 'describe the grey picture' and out['target_text'] == 'x'
    assert t(dict(task='count', num=3))['target_text'] == '3'
    assert 'vqa' not in t.templates and 'vqa' not in t.target_templates
    # no target template: the data set's target_text is kept
    out = t(
        dict(task='categorization', img_shape=(8, 8), gt_bboxes=[[0, 0, 4, 4]], target_text='kept')
    )
    assert out['prompt'] == 'What is the category of the region <loc_0><loc_5>?'
    assert out['target_text'] == 'kept'
    # `task` overrides results['task']; `box_key` picks other boxes
    forced = TaskPrompt(box_coder=PatchIndexBoxCoder(4), task='grounding', box_key='ref_boxes')
    out = forced(
        dict(
            task='hoi',
            expression='a',
            img_shape=(8, 8),
            ref_boxes=[[4, 4, 8, 8]],
            gt_bboxes=[[0, 0, 1, 1]],
        )
    )
    assert out['target_text'] == '<patch_index_0010><patch_index_0015>'


def test_field_keys():
    t = TaskPrompt(
        box_coder=PatchIndexBoxCoder(4), field_keys=dict(expression=['expression', 'caption'])
    )
    # VQAv2Dataset writes multiple_choice_answer: the default {answer} reads it
    out = t(dict(task='vqa', question='What is it?', multiple_choice_answer='net'))
    assert (out['prompt'], out['target_text']) == ('What is it?', 'net')
    assert (
        t(dict(task='vqa', question='q', answer='a', multiple_choice_answer='b'))['target_text']
        == 'a'
    )
    # VG region phrases as grounding expressions
    out = t(dict(task='grounding', caption='the clock', img_shape=(8, 8), gt_bboxes=[[0, 0, 4, 4]]))
    assert out['prompt'] == 'Which region does the text "the clock" describe?'
    with pytest.raises(
        KeyError,
        match=r"needs results\['answer'\] or "
        r"results\['multiple_choice_answer'\]",
    ):
        t(dict(task='vqa', question='q'))


def test_captions_need_no_box_coder():
    t = TaskPrompt(templates=dict(region_caption=None, categorization=None, grounding=None))
    assert t(dict(task='caption', caption='a cat'))['target_text'] == 'a cat'


def test_errors():
    t = _prompt()
    with pytest.raises(
        KeyError,
        match=r"no prompt template for task 'hoi' "
        r'\(sample 3\).*caption',
    ):
        t(dict(task='hoi', sample_idx=3))
    with pytest.raises(
        KeyError,
        match=r"needs results\['caption'\] \(sample 5, "
        r"a\.png\).*'question'",
    ):
        t(dict(task='caption', sample_idx=5, img_path='a.png', question='q?'))
    with pytest.raises(KeyError, match=r"img_shape"):
        t(dict(task='region_caption', gt_bboxes=[[0, 0, 1, 1]], caption='c'))
    with pytest.raises(KeyError, match=r"results\['gt_bboxes'\]"):
        t(dict(task='region_caption', img_shape=(4, 4), caption='c'))
    with pytest.raises(ValueError, match='gt_bboxes is empty'):
        t(dict(task='region_caption', img_shape=(4, 4), caption='c', gt_bboxes=np.zeros((0, 4))))
    with pytest.raises(TypeError, match='not one text'):
        t(dict(task='caption', caption=['a', 'b']))
    with pytest.raises(ValueError, match='needs a box_coder'):
        TaskPrompt()
    with pytest.raises(ValueError, match="task 'nope' without a prompt"):
        _prompt(target_templates=dict(nope='{x}'))
    with pytest.raises(ValueError, match='positional field'):
        _prompt(templates=dict(caption='what is {}?'))
    with pytest.raises(ValueError, match='bad template'):
        _prompt(templates=dict(caption='what is {?'))


def test_helpers():
    coder = PatchIndexBoxCoder(4, token_fmt='<loc_{}>')
    assert named_box(coder, 'dog', [0, 0, 4, 4], (8, 8)) == 'dog<loc_0><loc_5>'
    with pytest.raises(ValueError, match='outside the image'):
        box_tokens(coder, [0, 0, 8.5, 8], (8, 8))
    assert box_tokens(coder, [0, 0, 8.5, 8], (8, 8), clip=True) == '<loc_0><loc_15>'
    assert template_fields('{a} and {b.x} and {a} {c[0]}') == ['a', 'b', 'c']
    assert template_fields('no fields {{literal}}') == []
