"""A synthetic human-object-interaction set in the toolkit's HOIA format.

:func:`make_toy_hoi` draws small scenes (64x64 by default) of one or two stick
figures and one or two objects, and writes PNG images plus HOIA annotation
files (``docs/datasets/hoi.md``)::

    <out_dir>/images/train/000000.png ...     <out_dir>/annotations/train.json
    <out_dir>/images/test/000000.png ...      <out_dir>/annotations/test.json

The file names are bare (``000000.png``); the image folder of a split is
``images/<split>`` (``data_prefix=dict(img_path='images/train')``).

Every relation is a real V-COCO class (:data:`TOY_HOI_CLASSES_USED`, a subset
of the 29 QPIC classes) and every (verb, object) pair is allowed by V-COCO's
``include`` lists. The labels follow from what is drawn:

======================  =====================================================
relation                visual rule
======================  =====================================================
hold_obj                the object sits on one of the person's hands
drink_instr (+hold)     a cup held at the mouth (on the face side)
eat_obj (+hold)         a donut held at the mouth (on the face side)
talk_on_phone_instr     a cell phone held at the back of the head (the ear)
(+hold)
read_obj (+hold)        an open book held with both hands in front of the face
sit_instr               the person sits (bent legs) on a chair
skateboard_instr        the person stands on a skateboard
jump_instr (+skate...)  the person is in the air above a skateboard, knees
                        bent, arms up (also skateboard_instr)
kick_obj                one leg kicks out towards a ball at foot level
look_obj                a small object (ball, cup, donut, phone, book) lies on
                        the side the face points to (the head is drawn with
                        the face half in skin colour and the back half as
                        dark hair)
stand / walk / run      leg pose: feet together / a stride / a wide stride
                        with a bent front knee, a lean and swinging arms
                        (object_id -1); sitting, kicking and jumping persons
                        have none of the three
smile                   the face is bright yellow instead of skin-coloured
                        (object_id -1)
======================  =====================================================

Sizes: figures are ``figure_scale`` times the size they had at 96 px, so
that with the defaults (64 px, ``figure_scale=1.7``) a person is 39-50 px
tall; the small objects are a further ``object_scale`` (1.6) times larger
than a figure of that size would hold, e.g. a cup about 17 x 16 px and a
phone 9 x 16 px. That size is what the toy recipe's box coder needs:
``PatchIndexBoxCoder(16)`` writes a corner as one of 16 x 16 cells (4 px on
64 px) and decodes a box between the centres of its corner cells. Objects of
4+ cells keep IoU >= 0.5 after encode -> decode for 99% of the localisation
targets, and for 72% of them when one corner is predicted one cell off
(46% at ``object_scale=1``, where a phone was 1.4 cells wide: the toy
recipes' Acc@0.5 stayed below 31 there, docs/results.md).
``tests/test_datasets`` checks both.

Scenes also hold distractors: objects lying on the ground that nobody
touches (only ``look_obj`` can apply to them), e.g. a chair nobody sits on or
a ball nobody kicks. Everything is drawn from a seeded
:class:`numpy.random.Generator` (one stream per split), so the same seed gives
byte-identical images and JSON.
"""

import json
import os
import os.path as osp

import numpy as np
from PIL import Image, ImageDraw

from vltoolkit.utils.progress import track

from ..vcoco_meta import COCO_NAME_TO_ID, COCO_PERSON_ID, VCOCO_CLASSES

__all__ = ['TOY_HOI_CLASSES_USED', 'TOY_HOI_OBJECTS', 'make_toy_hoi', 'make_toy_hoi_scene']

#: The COCO categories drawn as objects (name -> COCO id).
TOY_HOI_OBJECTS = {
    name: COCO_NAME_TO_ID[name]
    for name in ('sports ball', 'cup', 'donut', 'chair', 'skateboard', 'cell phone', 'book')
}
#: The smallest image side the scenes are drawn at.
MIN_IMG_SIZE = 64
#: Default size of the small objects relative to the figures.
OBJECT_SCALE = 1.6
_SMALL = ('sports ball', 'cup', 'donut', 'cell phone', 'book')

_USED = {
    'hold_obj',
    'stand',
    'sit_instr',
    'walk',
    'look_obj',
    'eat_obj',
    'jump_instr',
    'talk_on_phone_instr',
    'run',
    'skateboard_instr',
    'smile',
    'drink_instr',
    'kick_obj',
    'read_obj',
}
#: The V-COCO classes the toy set uses, in QPIC order (indices into
#: :data:`~vltoolkit.datasets.vcoco_meta.VCOCO_CLASSES` are unchanged).
TOY_HOI_CLASSES_USED = tuple(c for c in VCOCO_CLASSES if c in _USED)
_VERB = {c: VCOCO_CLASSES.index(c) for c in TOY_HOI_CLASSES_USED}

# per-person scenario -> probability
_SCENARIOS = (
    ('none', 0.14),
    ('hold', 0.16),
    ('drink', 0.09),
    ('eat', 0.09),
    ('phone', 0.09),
    ('read', 0.09),
    ('sit', 0.10),
    ('skate', 0.08),
    ('jump', 0.07),
    ('kick', 0.09),
)
_POSES = (('stand', 0.45), ('walk', 0.30), ('run', 0.25))
_SCENARIO_VERBS = {
    'hold': ('hold_obj',),
    'drink': ('hold_obj', 'drink_instr'),
    'eat': ('hold_obj', 'eat_obj'),
    'phone': ('hold_obj', 'talk_on_phone_instr'),
    'read': ('hold_obj', 'read_obj'),
    'sit': ('sit_instr',),
    'skate': ('skateboard_instr',),
    'jump': ('jump_instr', 'skateboard_instr'),
    'kick': ('kick_obj',),
}
_SCENARIO_OBJECT = {
    'drink': 'cup',
    'eat': 'donut',
    'phone': 'cell phone',
    'read': 'book',
    'sit': 'chair',
    'skate': 'skateboard',
    'jump': 'skateboard',
    'kick': 'sports ball',
}

_SKIN, _SMILE, _HAIR = (232, 188, 150), (255, 222, 0), (70, 40, 20)
_LIMB = (45, 45, 45)
_SHIRTS = ((0, 150, 150), (120, 130, 40), (125, 125, 125), (100, 190, 100), (190, 160, 110))


class _Entity:
    """Drawing ops of one annotated thing, plus its rough extent."""

    def __init__(self, category):
        self.category = category
        self.ops = []
        self.meta = {}

    def add(self, kind, xy, **style):
        self.ops.append((kind, [float(v) for v in xy], style))

    def extent(self):
        x0 = y0 = np.inf
        x1 = y1 = -np.inf
        for _, xy, style in self.ops:
            pad = style.get('width', 1) / 2
            xs, ys = xy[0::2], xy[1::2]
            x0, y0 = min(x0, min(xs) - pad), min(y0, min(ys) - pad)
            x1, y1 = max(x1, max(xs) + pad), max(y1, max(ys) + pad)
        return x0, y0, x1, y1

    def shift(self, dx, dy):
        for _, xy, _ in self.ops:
            xy[0::2] = [v + dx for v in xy[0::2]]
            xy[1::2] = [v + dy for v in xy[1::2]]
        for key in ('head', 'hands'):
            if key in self.meta:
                self.meta[key] = [(x + dx, y + dy) for x, y in self.meta[key]]

    def draw(self, draw, mask=False):
        for kind, xy, style in self.ops:
            style = dict(style)
            if mask:
                for key in ('fill', 'outline'):
                    if style.get(key) is not None:
                        style[key] = 255
            xy = [round(v) for v in xy]
            if kind == 'line':
                draw.line(xy, fill=style['fill'], width=style.get('width', 1))
            elif kind == 'ellipse':
                draw.ellipse(
                    xy,
                    fill=style.get('fill'),
                    outline=style.get('outline'),
                    width=style.get('width', 1),
                )
            elif kind == 'rect':
                draw.rectangle(
                    xy,
                    fill=style.get('fill'),
                    outline=style.get('outline'),
                    width=style.get('width', 1),
                )
            elif kind == 'pieslice':
                draw.pieslice(xy, style['start'], style['end'], fill=style['fill'])
            else:
                raise ValueError(kind)


def _choice(rng, table):
    names, probs = zip(*table)
    probs = np.asarray(probs) / sum(probs)
    return names[int(rng.choice(len(names), p=probs))]


def _small_object(name, cx, cy, k):
    """A small object centred at (cx, cy); k = scale."""
    ent = _Entity(name)
    if name == 'sports ball':
        r = 4.2 * k
        ent.add(
            'ellipse', (cx - r, cy - r, cx + r, cy + r), fill=(215, 35, 35), outline=(90, 10, 10)
        )
    elif name == 'cup':
        w, h = 7 * k, 9 * k
        ent.add(
            'rect',
            (cx + w / 2 - 1, cy - h / 4, cx + w / 2 + 2.5 * k, cy + h / 4),
            outline=(20, 50, 170),
            width=2,
        )
        ent.add('rect', (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), fill=(40, 90, 230))
    elif name == 'donut':
        r = 5 * k
        ent.add(
            'ellipse',
            (cx - r, cy - r, cx + r, cy + r),
            outline=(235, 120, 175),
            width=max(2, round(2.6 * k)),
        )
    elif name == 'cell phone':
        w, h = 4.4 * k, 8.5 * k
        ent.add('rect', (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), fill=(15, 15, 15))
        ent.add(
            'rect',
            (cx - w / 2 + 1, cy - h / 2 + 1.5, cx + w / 2 - 1, cy + h / 2 - 2),
            fill=(150, 200, 230),
        )
    elif name == 'book':
        w, h = 11 * k, 9 * k
        ent.add('rect', (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), fill=(135, 40, 165))
        ent.add('line', (cx, cy - h / 2 + 1, cx, cy + h / 2 - 1), fill=(245, 245, 245), width=1)
    else:
        raise ValueError(name)
    return ent


def _chair(seat_x0, seat_x1, seat_y, ground, back_top, back_x, k):
    ent = _Entity('chair')
    col = (130, 75, 30)
    lw = max(2, round(2 * k))
    ent.add('line', (seat_x0, seat_y, seat_x1, seat_y), fill=col, width=lw + 1)
    for x in (seat_x0, seat_x1):
        ent.add('line', (x, seat_y, x, ground), fill=col, width=lw)
    ent.add('line', (back_x, seat_y, back_x, back_top), fill=col, width=lw)
    return ent


def _skateboard(cx, ground, width, k):
    ent = _Entity('skateboard')
    wr = 1.6 * k
    deck_bottom = ground - 2 * wr
    ent.add(
        'rect',
        (cx - width / 2, deck_bottom - 2.5 * k, cx + width / 2, deck_bottom),
        fill=(245, 150, 20),
    )
    for x in (cx - width / 3, cx + width / 3):
        ent.add('ellipse', (x - wr, ground - 2 * wr, x + wr, ground), fill=(20, 20, 20))
    return ent


def _board_height(k):
    return 2 * 1.6 * k + 2.5 * k


def _person(rng, cx, ground, height, facing, pose, scenario, hold_side, smile, object_scale):
    """A stick figure; returns (person, objects drawn with it, behind)."""
    H, f = height, facing
    k = H / 42
    ko = k * object_scale  # the small objects' scale
    objects, behind = [], []
    lw = max(2, round(0.06 * H))
    r = 0.12 * H
    lean = 0.0
    if scenario == 'sit':
        y_hip = ground - 0.26 * H
        y_feet = ground
    elif scenario == 'jump':
        y_feet = ground - _board_height(k) - 0.2 * H
        y_hip = y_feet - 0.36 * H
    else:
        y_feet = ground - (_board_height(k) if scenario == 'skate' else 0)
        y_hip = y_feet - 0.44 * H
    if pose == 'run':
        lean = 0.08 * H * f
    y_sh = y_hip - 0.3 * H
    head = (cx + lean * 1.2, y_sh - 0.02 * H - r)
    sh = (cx + lean, y_sh + 0.02 * H)

    # legs
    hip = (cx, y_hip)
    if scenario == 'sit':
        knee = (cx + f * 0.24 * H, y_hip)
        legs = [(hip, knee, (knee[0], y_feet))]
    elif scenario == 'jump':
        knee = (cx + f * 0.16 * H, y_hip + 0.18 * H)
        legs = [
            (hip, knee, (cx - f * 0.02 * H, y_feet)),
            (hip, (knee[0] - f * 0.06 * H, knee[1]), (cx - f * 0.08 * H, y_feet)),
        ]
    elif scenario == 'kick':
        legs = [(hip, (cx - f * 0.05 * H, y_feet)), (hip, (cx + f * 0.32 * H, y_feet - 0.12 * H))]
    elif pose == 'stand':
        legs = [(hip, (cx - 0.06 * H, y_feet)), (hip, (cx + 0.06 * H, y_feet))]
    elif pose == 'walk':
        legs = [(hip, (cx - 0.16 * H, y_feet)), (hip, (cx + 0.16 * H, y_feet))]
    else:  # run
        legs = [
            (hip, (cx + f * 0.22 * H, y_hip + 0.22 * H), (cx + f * 0.16 * H, y_feet)),
            (hip, (cx - f * 0.30 * H, y_feet - 0.12 * H)),
        ]

    # free hands per pose: (front, back) = (side f, side -f)
    if scenario == 'sit':
        front, back = (cx + f * 0.2 * H, y_hip - 0.02 * H), (cx + f * 0.1 * H, y_hip)
    elif scenario == 'jump':
        front, back = (cx + f * 0.2 * H, head[1] - 0.1 * H), (cx - f * 0.2 * H, head[1] - 0.1 * H)
    elif scenario == 'kick':
        front, back = (
            (sh[0] + f * 0.24 * H, sh[1] + 0.02 * H),
            (sh[0] - f * 0.24 * H, sh[1] + 0.02 * H),
        )
    elif pose == 'run':
        front, back = (
            (sh[0] + f * 0.2 * H, sh[1] - 0.04 * H),
            (sh[0] - f * 0.22 * H, y_hip - 0.02 * H),
        )
    elif pose == 'walk':
        front, back = (cx + f * 0.12 * H, y_hip + 0.03 * H), (cx - f * 0.1 * H, y_hip + 0.04 * H)
    else:
        front, back = (cx + f * 0.13 * H, y_hip + 0.04 * H), (cx - f * 0.13 * H, y_hip + 0.04 * H)
    hands = {f: front, -f: back}

    # scenario objects held in the hands
    if scenario in ('drink', 'eat'):
        name = _SCENARIO_OBJECT[scenario]
        half = (3.5 if name == 'cup' else 5) * ko
        pos = (head[0] + f * (r + half + 0.5), head[1] + 0.35 * r)
        hands[f] = (pos[0], pos[1] + 0.3 * half)
        objects.append(_small_object(name, pos[0], pos[1], ko))
    elif scenario == 'phone':
        pos = (head[0] - f * (r + 2.2 * ko), head[1] + 0.1 * r)
        hands[-f] = (pos[0], pos[1] + 2 * ko)
        objects.append(_small_object('cell phone', pos[0], pos[1], ko))
    elif scenario == 'read':
        pos = (head[0] + f * (r + 6.5 * ko), head[1] + 0.6 * r)
        hands[f] = (pos[0] + f * 3 * ko, pos[1] + 3 * ko)
        hands[-f] = (pos[0] - f * 3 * ko, pos[1] + 3 * ko)
        objects.append(_small_object('book', pos[0], pos[1], ko))
    if hold_side is not None:
        name = hold_side[1]
        hx = sh[0] + hold_side[0] * 0.27 * H
        hy = y_hip - 0.02 * H
        hands[hold_side[0]] = (hx, hy)
        objects.append(_small_object(name, hx, hy + 1.5 * ko, ko))
    if scenario == 'kick':
        rb = 4.2 * ko
        foot = legs[1][-1]
        objects.append(_small_object('sports ball', foot[0] + f * (rb + 1.5), ground - rb, ko))
    if scenario == 'sit':
        behind.append(
            _chair(
                cx - f * 0.12 * H,
                cx + f * 0.22 * H,
                y_hip + lw / 2 + 1,
                ground,
                y_hip - 0.28 * H,
                cx - f * 0.12 * H,
                k,
            )
        )
    if scenario in ('skate', 'jump'):
        behind.append(_skateboard(cx, ground, 0.62 * H, k))

    person = _Entity('person')
    shirt = _SHIRTS[int(rng.integers(len(_SHIRTS)))]
    for leg in legs:
        pts = [v for p in leg for v in p]
        person.add('line', pts, fill=_LIMB, width=lw)
    person.add('line', (sh[0], sh[1], cx, y_hip), fill=shirt, width=max(3, round(0.2 * H)))
    for side in (-f, f):
        person.add('line', (sh[0], sh[1], *hands[side]), fill=_LIMB, width=lw)
    hb = (head[0] - r, head[1] - r, head[0] + r, head[1] + r)
    person.add('ellipse', hb, fill=_SMILE if smile else _SKIN)
    person.add('pieslice', hb, start=90 if f > 0 else 270, end=270 if f > 0 else 450, fill=_HAIR)
    person.meta.update(head=[head], radius=r, facing=f)
    return person, objects, behind


def make_toy_hoi_scene(
    rng, img_size=64, figure_scale=1.7, p_two_persons=0.3, object_scale=OBJECT_SCALE
):
    """Draw one scene.

    Args:
        rng (np.random.Generator): the random stream.
        img_size (int): the square image side in pixels, at least 64 (the
            drawing scales with it).
        figure_scale (float): size of the figures and objects relative to
            the 96 px drawing scaled to ``img_size`` (1.0: a person is
            35-46% of the image height). Default 1.7.
        p_two_persons (float): probability of a two-person scene. Default 0.3.
        object_scale (float): size of the small objects (ball, cup, donut,
            phone, book) relative to the figures. Default
            :data:`OBJECT_SCALE` (1.6): a held object spans 4+ cells of the
            toy recipes' 16 x 16 location grid, so a corner one cell off
            still gives IoU >= 0.5 (at 1.0 a phone was 1.4 cells wide).

    Returns:
        tuple[PIL.Image.Image, dict]: the RGB image and its HOIA record
        without ``file_name`` (``annotations``, ``hoi_annotation``,
        ``width``, ``height``).
    """
    if int(img_size) != img_size or img_size < MIN_IMG_SIZE:
        raise ValueError(
            f'img_size must be an integer >= {MIN_IMG_SIZE} '
            '(smaller objects become unreadable), got '
            f'{img_size}'
        )
    if not 0 < figure_scale <= 2:
        raise ValueError(
            f'figure_scale must be in (0, 2] (larger figures do '
            f'not fit the image), got {figure_scale!r}'
        )
    if not 0 <= p_two_persons <= 1:
        raise ValueError(f'p_two_persons must be a probability, got {p_two_persons!r}')
    if not 0.5 <= object_scale <= 2:
        raise ValueError(
            f'object_scale must be in [0.5, 2] (objects must '
            f'stay readable and fit a hand), got {object_scale!r}'
        )
    img_size = int(img_size)
    S = img_size
    s = S / 96 * figure_scale
    while True:  # a scene with no room for its one object is drawn again
        layout = _layout(rng, S, s, p_two_persons, object_scale)
        if layout is not None:
            break
    ground, persons, objects = layout

    # render
    img, annotations, hois = _render(rng, S, ground, persons, objects)
    for p, person in enumerate(persons):
        pose = person.meta['pose']
        if pose is not None:
            hois.append((p, -1, pose))
        if person.meta['smile']:
            hois.append((p, -1, 'smile'))
    record = dict(
        annotations=annotations,
        hoi_annotation=[
            dict(subject_id=sub, object_id=obj, category_id=_VERB[v])
            for sub, obj, v in sorted(hois, key=lambda t: (t[0], t[1] < 0, t[1], _VERB[t[2]]))
        ],
        width=S,
        height=S,
    )
    return img, record


def _layout(rng, S, s, p_two_persons, object_scale):
    """Persons, their objects and distractors: ``(ground, persons,
    objects)``, or None when a scene without objects has no room for one."""
    ground = float(rng.uniform(0.86, 0.95) * S)
    n_persons = 2 if rng.random() < p_two_persons else 1
    slots = [(0, S)] if n_persons == 1 else [(0, S / 2), (S / 2, S)]

    persons, objects = [], []  # objects: (entity, owner, verbs)
    for p, (sx0, sx1) in enumerate(slots):
        scenario = _choice(rng, _SCENARIOS)
        pose = _choice(rng, _POSES)
        if scenario == 'skate':
            pose = 'stand'
        facing = 1 if rng.random() < 0.5 else -1
        hold = None
        if scenario == 'hold' or (
            scenario in ('none', 'sit', 'skate') and n_persons == 1 and rng.random() < 0.35
        ):
            hold = (1 if rng.random() < 0.5 else -1, _SMALL[int(rng.integers(len(_SMALL)))])
        height = float(rng.uniform(34, 44) * s)
        smile = bool(rng.random() < 0.35)
        cx = float(rng.uniform(sx0 + 0.35 * (sx1 - sx0), sx1 - 0.35 * (sx1 - sx0)))
        g = ground + float(rng.uniform(-2, 2)) * s
        person, objs, back = _person(
            rng, cx, g, height, facing, pose, scenario, hold, smile, object_scale
        )
        group = [person] + objs + back
        _fit(group, sx0 + 1, sx1 - 1, S)
        person.meta.update(pose=None if scenario in ('sit', 'jump', 'kick') else pose, smile=smile)
        verbs = list(_SCENARIO_VERBS.get(scenario, ()))
        own = objs[:]
        if hold is not None and scenario != 'hold':
            # the extra held object is the last one drawn in the hands
            held = objs[-1]
            own = objs[:-1]
            objects.append((held, p, ('hold_obj',)))
        for ent in own + back:
            objects.append((ent, p, tuple(verbs)))
        persons.append(person)

    # distractors lying on the ground, touched by nobody; a scene without an
    # object gets a small one
    forced = not objects
    n_distract = 1 if forced else int(rng.random() < 0.35)
    occupied = [e.extent() for e in persons] + [o[0].extent() for o in objects]
    for _ in range(n_distract):
        if len(objects) >= 2:
            break
        if forced:
            name = _SMALL[int(rng.integers(len(_SMALL)))]
        else:
            names = _SMALL + ('chair', 'skateboard')
            name = names[int(rng.choice(len(names), p=[0.16] * 5 + [0.1, 0.1]))]
        for _try in range(200 if forced else 30):
            ent = _loose_object(name, float(rng.uniform(0, S)), ground, s, object_scale)
            box = ent.extent()
            if box[0] < 1 or box[2] > S - 1 or any(_overlap(box, o, 2) for o in occupied):
                continue
            objects.append((ent, None, ()))
            occupied.append(box)
            break
    return (ground, persons, objects) if objects else None


def _loose_object(name, cx, ground, s, object_scale):
    k = s
    if name == 'chair':
        w = 12 * k
        return _chair(
            cx - w / 2, cx + w / 2, ground - 11 * k, ground, ground - 24 * k, cx - w / 2, k
        )
    if name == 'skateboard':
        return _skateboard(cx, ground, 24 * k, k)
    half = (
        {'sports ball': 4.2, 'cup': 4.5, 'donut': 5, 'cell phone': 4.25, 'book': 4.5}[name]
        * k
        * object_scale
    )
    return _small_object(name, cx, ground - half, k * object_scale)


def _overlap(a, b, margin):
    return not (
        a[2] + margin <= b[0]
        or b[2] + margin <= a[0]
        or a[3] + margin <= b[1]
        or b[3] + margin <= a[1]
    )


def _fit(group, x0, x1, S):
    ext = [e.extent() for e in group]
    gx0, gy0 = min(e[0] for e in ext), min(e[1] for e in ext)
    gx1, gy1 = max(e[2] for e in ext), max(e[3] for e in ext)
    dx = dy = 0.0
    if gx1 - gx0 > x1 - x0:  # wider than its slot: keep it in the image
        x0, x1 = 1, S - 1
    if gx0 < x0:
        dx = x0 - gx0
    elif gx1 > x1:
        dx = x1 - gx1
    if gy0 < 1:
        dy = 1 - gy0
    elif gy1 > S - 1:
        dy = S - 1 - gy1
    if dx or dy:
        for e in group:
            e.shift(dx, dy)


def _render(rng, S, ground, persons, objects):
    sky = rng.integers(200, 250, size=3)
    soil = rng.integers(140, 200, size=3)
    base = np.empty((S, S, 3), np.float32)
    gy = int(round(ground))
    base[:gy] = sky
    base[gy:] = soil
    img = Image.fromarray(base.astype(np.uint8))
    draw = ImageDraw.Draw(img)
    behind = [o for o in objects if o[0].category in ('chair', 'skateboard')]
    front = [o for o in objects if o not in behind]
    for ent, _, _ in behind:
        ent.draw(draw)
    for ent in persons:
        ent.draw(draw)
    for ent, _, _ in front:
        ent.draw(draw)
    noise = rng.normal(0, 4, size=(S, S, 3))
    arr = np.clip(np.asarray(img, np.float32) + noise, 0, 255)
    img = Image.fromarray(arr.round().astype(np.uint8))

    entities = persons + [o[0] for o in objects]
    annotations = []
    for ent in entities:
        mask = Image.new('L', (S, S), 0)
        ent.draw(ImageDraw.Draw(mask), mask=True)
        x0, y0, x1, y1 = mask.getbbox()
        annotations.append(
            dict(
                bbox=[x0, y0, x1, y1],
                category_id=COCO_PERSON_ID
                if ent.category == 'person'
                else TOY_HOI_OBJECTS[ent.category],
            )
        )

    hois = []
    n = len(persons)
    for j, (ent, owner, verbs) in enumerate(objects):
        for v in verbs:
            hois.append((owner, n + j, v))
        if ent.category not in _SMALL:
            continue
        box = annotations[n + j]['bbox']
        ox = (box[0] + box[2]) / 2
        for p, person in enumerate(persons):
            ((hx, _),) = person.meta['head']
            if (ox - hx) * person.meta['facing'] > person.meta['radius']:
                hois.append((p, n + j, 'look_obj'))
    return img, annotations, hois


def make_toy_hoi(
    out_dir,
    num_train=2400,
    num_test=300,
    img_size=64,
    seed=0,
    figure_scale=1.7,
    p_two_persons=0.3,
    object_scale=OBJECT_SCALE,
):
    """Write the toy HOI set.

    Args:
        out_dir (str): output folder; gets ``images/{train,test}/*.png`` and
            ``annotations/{train,test}.json``.
        num_train (int): training images.
        num_test (int): test images.
        img_size (int): square image side in pixels, >= 64 (the geometry
            scales with it).
        seed (int): the seed; each split draws from its own stream
            (``SeedSequence([seed, split_index])``), so changing
            ``num_test`` does not change the training set.
        figure_scale, p_two_persons, object_scale: see
            :func:`make_toy_hoi_scene`.

    The defaults are the data of the toy HOI recipes
    (``configs/_base_/datasets/hoi_toy.py``).

    Returns:
        dict: split name -> list of HOIA records (as written).
    """
    for name, num in (('num_train', num_train), ('num_test', num_test)):
        if int(num) != num or num < 0:
            raise ValueError(f'{name} must be a non-negative integer, got {num!r}')
    out = {}
    for index, (split, num) in enumerate((('train', num_train), ('test', num_test))):
        rng = np.random.default_rng(np.random.SeedSequence([seed, index]))
        img_dir = osp.join(out_dir, 'images', split)
        os.makedirs(img_dir, exist_ok=True)
        os.makedirs(osp.join(out_dir, 'annotations'), exist_ok=True)
        records = []
        for i in track(range(num), description=f'toy HOI {split} images'):
            img, rec = make_toy_hoi_scene(rng, img_size, figure_scale, p_two_persons, object_scale)
            file_name = f'{i:06d}.png'
            img.save(osp.join(img_dir, file_name), format='PNG')
            records.append(dict(file_name=file_name, **rec))
        with open(osp.join(out_dir, 'annotations', f'{split}.json'), 'w') as f:
            json.dump(records, f)
        out[split] = records
    return out
