"""A synthetic VQA set in the official VQA v2 layout.

:func:`make_toy_vqa` draws small scenes (64x64 by default) of one to three
coloured shapes (circle, square, triangle in red, green, blue, yellow) and
asks questions about them, in the official files' layout (docs/vqa.md)::

    <out_dir>/images/{train,val}/000000000001.png ...
    <out_dir>/annotations/questions_{train,val}.json     {"questions": [...]}
    <out_dir>/annotations/annotations_{train,val}.json   {"annotations": [...]}
    <out_dir>/answers.json    the answer vocabulary, TOY_VQA_ANSWERS

(image file name ``{image_id:012d}.png``, ``question_id = image_id * 1000 +
k``). The questions, one of each kind per image where it applies:

===============================================  ======  ===================
question                                          type    answer
===============================================  ======  ===================
what color is the {shape}?                        other   red / green / ...
how many {color} shapes are there?                number  0 .. 3
is there a {color} shape?                         yes/no  yes / no (balanced)
is the {color} shape on the left or the right?    other   left / right
===============================================  ======  ===================

(the colour question only about a shape that occurs once, the position
question only about a colour that occurs once). Objects are named by their
colour where possible: a tiny model learns colours from pixels quickly, so
the toy set shows differences between recipes within CPU minutes. Each
question has ten annotator answers: the true one, sometimes written another
way that the official normalisation maps back (``'Two'``, ``'the left'``,
``'yes!'``), and sometimes a plausible wrong one (a neighbouring count, the
opposite side), so the soft scores and the VQA accuracy are exercised.
``multiple_choice_answer`` is the most frequent normalised answer. All
answers lie in :data:`TOY_VQA_ANSWERS`. Everything is drawn from a seeded
:class:`numpy.random.Generator`, one stream per split.
"""

import json
import os
import os.path as osp
from collections import Counter

import numpy as np
from PIL import Image, ImageDraw

from vltoolkit.evaluation.parsers.vqa_normalize import normalize_answer
from vltoolkit.utils.progress import track

from ..vqa_answers import save_answer_list

__all__ = [
    'TOY_VQA_COLOURS',
    'TOY_VQA_SHAPES',
    'TOY_VQA_ANSWERS',
    'make_toy_vqa_scene',
    'make_toy_vqa',
]

#: Colour name -> RGB.
TOY_VQA_COLOURS = {
    'red': (220, 40, 40),
    'green': (40, 170, 60),
    'blue': (40, 80, 220),
    'yellow': (235, 200, 30),
}
#: The drawn shapes.
TOY_VQA_SHAPES = ('circle', 'square', 'triangle')
MAX_OBJECTS = 3
#: Every answer of the toy set (normalised), 12 in all.
TOY_VQA_ANSWERS = (
    tuple(TOY_VQA_COLOURS)
    + tuple(str(i) for i in range(MAX_OBJECTS + 1))
    + ('yes', 'no', 'left', 'right')
)
MIN_IMG_SIZE = 32

_NUMBER_WORDS = ('zero', 'one', 'two', 'three')
_P_WRONG, _P_VARIANT = 0.08, 0.12


def _variant(rng, answer):
    """A surface form of ``answer`` that normalises back to it."""
    if answer.isdigit():
        return [_NUMBER_WORDS[int(answer)], _NUMBER_WORDS[int(answer)].title(), answer + '.'][
            int(rng.integers(3))
        ]
    if answer in ('left', 'right'):
        return ['the ' + answer, answer.title(), answer + '!'][int(rng.integers(3))]
    return [answer.title(), answer + '!', answer + '.'][int(rng.integers(3))]


def _wrong(rng, answer):
    """A plausible wrong answer of the same kind."""
    if answer.isdigit():
        k = int(answer)
        options = [str(j) for j in (k - 1, k + 1) if 0 <= j <= MAX_OBJECTS]
    elif answer in ('yes', 'no'):
        options = ['no' if answer == 'yes' else 'yes']
    elif answer in ('left', 'right'):
        options = ['right' if answer == 'left' else 'left']
    else:
        options = [c for c in TOY_VQA_COLOURS if c != answer]
    return options[int(rng.integers(len(options)))]


def _annotate(rng, answer):
    """Ten annotator answers, their confidences and the MC answer."""
    answers = []
    for _ in range(10):
        u = rng.random()
        if u < _P_WRONG:
            answers.append(_wrong(rng, answer))
        elif u < _P_WRONG + _P_VARIANT:
            answers.append(_variant(rng, answer))
        else:
            answers.append(answer)
    counts = Counter(normalize_answer(a) for a in answers)
    mc = max(counts, key=lambda a: (counts[a], a == answer))
    return [
        dict(answer=a, answer_confidence='yes' if a == answer else 'maybe', answer_id=i + 1)
        for i, a in enumerate(answers)
    ], mc


def _draw_shape(draw, shape, colour, cx, cy, r):
    box = (cx - r, cy - r, cx + r, cy + r)
    if shape == 'circle':
        draw.ellipse(box, fill=colour)
    elif shape == 'square':
        draw.rectangle(box, fill=colour)
    else:
        draw.polygon([(cx, cy - r), (cx - r, cy + r), (cx + r, cy + r)], fill=colour)


def make_toy_vqa_scene(rng, img_size=64):
    """Draw one scene and ask its questions.

    Args:
        rng (np.random.Generator): the random stream.
        img_size (int): the square image side in pixels (>= 32).

    Returns:
        tuple[PIL.Image.Image, list[dict]]: the image and its questions
        ``dict(question, answer, answer_type, question_type)``.
    """
    if int(img_size) != img_size or img_size < MIN_IMG_SIZE:
        raise ValueError(f'img_size must be an integer >= {MIN_IMG_SIZE}, got {img_size!r}')
    S = int(img_size)
    r_min, r_max = 0.10 * S, 0.15 * S
    objects = []
    n = int(rng.integers(1, MAX_OBJECTS + 1))
    for _ in range(200):
        if len(objects) == n:
            break
        r = float(rng.uniform(r_min, r_max))
        cx, cy = (float(v) for v in rng.uniform(r + 1, S - r - 1, size=2))
        if abs(cx - S / 2) < 0.06 * S:  # keep left / right unambiguous
            continue
        if any((cx - o['cx']) ** 2 + (cy - o['cy']) ** 2 < (r + o['r'] + 2) ** 2 for o in objects):
            continue
        shape = TOY_VQA_SHAPES[int(rng.integers(len(TOY_VQA_SHAPES)))]
        colour = list(TOY_VQA_COLOURS)[int(rng.integers(len(TOY_VQA_COLOURS)))]
        objects.append(dict(shape=shape, colour=colour, cx=cx, cy=cy, r=r))

    bg = rng.integers(190, 240, size=3)
    img = Image.new('RGB', (S, S), tuple(int(v) for v in bg))
    draw = ImageDraw.Draw(img)
    for o in objects:
        _draw_shape(draw, o['shape'], TOY_VQA_COLOURS[o['colour']], o['cx'], o['cy'], o['r'])
    noise = rng.normal(0, 3, size=(S, S, 3))
    img = Image.fromarray(
        np.clip(np.asarray(img, np.float32) + noise, 0, 255).round().astype(np.uint8)
    )

    questions = []
    shape_counts = Counter(o['shape'] for o in objects)
    colour_counts = Counter(o['colour'] for o in objects)
    unique = [o for o in objects if shape_counts[o['shape']] == 1]
    if unique:
        o = unique[int(rng.integers(len(unique)))]
        questions.append(
            dict(
                question=f"what color is the {o['shape']}?",
                answer=o['colour'],
                answer_type='other',
                question_type='what color is the',
            )
        )
    colour = list(TOY_VQA_COLOURS)[int(rng.integers(len(TOY_VQA_COLOURS)))]
    questions.append(
        dict(
            question=f'how many {colour} shapes are there?',
            answer=str(colour_counts[colour]),
            answer_type='number',
            question_type='how many',
        )
    )
    absent = [c for c in TOY_VQA_COLOURS if c not in colour_counts]
    if rng.random() < 0.5 or not absent:
        colour = sorted(colour_counts)[int(rng.integers(len(colour_counts)))]
    else:
        colour = absent[int(rng.integers(len(absent)))]
    questions.append(
        dict(
            question=f'is there a {colour} shape?',
            answer='yes' if colour in colour_counts else 'no',
            answer_type='yes/no',
            question_type='is there a',
        )
    )
    unique = [o for o in objects if colour_counts[o['colour']] == 1]
    if unique:
        o = unique[int(rng.integers(len(unique)))]
        questions.append(
            dict(
                question=f"is the {o['colour']} shape on the left or the right?",
                answer='left' if o['cx'] < S / 2 else 'right',
                answer_type='other',
                question_type='is the',
            )
        )
    return img, questions


def make_toy_vqa(out_dir, num_train=1000, num_val=200, img_size=64, seed=0):
    """Write the toy VQA set (see the module docstring for the layout).

    Args:
        out_dir (str): output folder.
        num_train, num_val (int): images per split (2-4 questions each).
        img_size (int): square image side in pixels (>= 32).
        seed (int): the seed; each split draws from its own stream
            (``SeedSequence([seed, split_index])``).

    Returns:
        dict: split -> ``dict(questions=[...], annotations=[...])``, as
        written.
    """
    for name, num in (('num_train', num_train), ('num_val', num_val)):
        if int(num) != num or num < 0:
            raise ValueError(f'{name} must be a non-negative integer, got {num!r}')
    out = {}
    os.makedirs(osp.join(out_dir, 'annotations'), exist_ok=True)
    for index, (split, num) in enumerate((('train', num_train), ('val', num_val))):
        rng = np.random.default_rng(np.random.SeedSequence([seed, index]))
        img_dir = osp.join(out_dir, 'images', split)
        os.makedirs(img_dir, exist_ok=True)
        questions, annotations = [], []
        for i in track(range(num), description=f'toy VQA {split} images'):
            image_id = i + 1
            img, qas = make_toy_vqa_scene(rng, img_size)
            img.save(osp.join(img_dir, f'{image_id:012d}.png'), format='PNG')
            for k, qa in enumerate(qas):
                qid = image_id * 1000 + k
                answers, mc = _annotate(rng, qa['answer'])
                questions.append(dict(image_id=image_id, question=qa['question'], question_id=qid))
                annotations.append(
                    dict(
                        question_type=qa['question_type'],
                        multiple_choice_answer=mc,
                        answers=answers,
                        image_id=image_id,
                        answer_type=qa['answer_type'],
                        question_id=qid,
                    )
                )
        header = dict(
            info=dict(description='vltoolkit toy VQA', version='2.0'),
            license=dict(name='CC BY 4.0'),
            data_subtype=f'toy{split}',
            data_type='toy',
        )
        with open(osp.join(out_dir, 'annotations', f'questions_{split}.json'), 'w') as f:
            json.dump(dict(header, task_type='Open-Ended', questions=questions), f)
        with open(osp.join(out_dir, 'annotations', f'annotations_{split}.json'), 'w') as f:
            json.dump(dict(header, annotations=annotations), f)
        out[split] = dict(questions=questions, annotations=annotations)
    # the complete toy vocabulary (fixed, whatever the sizes of the splits)
    save_answer_list(TOY_VQA_ANSWERS, osp.join(out_dir, 'answers.json'))
    return out
