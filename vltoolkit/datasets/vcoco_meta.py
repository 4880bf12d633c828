"""V-COCO and COCO constants: actions, roles, the 29 QPIC verb classes.

Everything here is plain Python (no torch), so data tools and tests can import
it cheaply.

* :data:`VCOCO_ACTIONS`: the 26 actions of the official release
  (``s-gupta/v-coco``, ``data/vcoco/vcoco_*.json``) in the file order, each
  with its role names after ``agent`` and the ``include`` list of each role
  (COCO category *names*; an empty tuple means "any category").
* :data:`VCOCO_CLASSES`: the 29 verb classes in QPIC's order, built the way
  ``hitachi-rd-cv/qpic:convert_vcoco_annotations.py`` builds them: iterate the
  actions; an agent-only action adds its name, any other action adds
  ``<action>_<role>`` for each of its roles. 25 action-role pairs + 4
  agent-only actions = 29. ``eat_obj`` and ``eat_instr`` (likewise hit, cut)
  are separate classes.
* :data:`VCOCO_RELATION_PHRASES`: a short, unique English answer phrase per
  class (``eat_obj`` -> ``'eat'``, ``eat_instr`` -> ``'eat with'``).
* :data:`COCO_CATEGORIES`: the 80 COCO "thing" categories (ids 1..90).
* :func:`correspondence_matrix`: the (29, 80) verb x object matrix rebuilt
  from the ``include`` lists; it equals QPIC's ``corre_vcoco.npy`` exactly.
"""

from typing import NamedTuple

import numpy as np

__all__ = [
    'VCOCOAction',
    'VCOCO_ACTIONS',
    'VCOCO_ACTION_NAMES',
    'VCOCO_AGENT_ONLY_ACTIONS',
    'VCOCO_CLASSES',
    'VCOCO_NUM_CLASSES',
    'VCOCO_CLASS_TO_ACTION_ROLE',
    'VCOCO_AGENT_ONLY_CLASS_INDICES',
    'VCOCO_THESIS_MAP_INDICES',
    'VCOCO_RELATION_PHRASES',
    'COCO_CATEGORIES',
    'COCO_CATEGORY_IDS',
    'COCO_CATEGORY_NAMES',
    'COCO_ID_TO_NAME',
    'COCO_NAME_TO_ID',
    'COCO_ID_TO_CONTIGUOUS',
    'COCO_PERSON_ID',
    'vcoco_class_name',
    'correspondence_matrix',
]


class VCOCOAction(NamedTuple):
    """One V-COCO action.

    Attributes:
        name (str): the ``action_name`` of the official file.
        roles (tuple[str, ...]): role names after ``'agent'`` (``()`` for the
            4 agent-only actions), in the official ``role_name`` order.
        include (tuple[tuple[str, ...], ...]): one tuple of allowed COCO
            category names per role in ``roles``; ``()`` = any category.
    """

    name: str
    roles: tuple
    include: tuple


_SIT = (
    'bicycle',
    'motorcycle',
    'horse',
    'elephant',
    'bench',
    'chair',
    'couch',
    'bed',
    'toilet',
    'dining table',
    'suitcase',
    'handbag',
    'backpack',
)
_RIDE = (
    'bicycle',
    'motorcycle',
    'bus',
    'truck',
    'boat',
    'train',
    'airplane',
    'car',
    'horse',
    'elephant',
)
_EAT_OBJ = (
    'banana',
    'apple',
    'sandwich',
    'orange',
    'carrot',
    'broccoli',
    'hot dog',
    'pizza',
    'cake',
    'donut',
)
_LAY = ('bench', 'dining table', 'toilet', 'bed', 'couch', 'chair')

#: The 26 actions in the order of the official ``vcoco_<split>.json`` files
#: (current release: eat's roles are ``obj, instr``; the v1 data had
#: ``instr, obj``).
VCOCO_ACTIONS = (
    VCOCOAction('hold', ('obj',), ((),)),
    VCOCOAction('stand', (), ()),
    VCOCOAction('sit', ('instr',), (_SIT,)),
    VCOCOAction('ride', ('instr',), (_RIDE,)),
    VCOCOAction('walk', (), ()),
    VCOCOAction('look', ('obj',), ((),)),
    VCOCOAction('hit', ('instr', 'obj'), (('tennis racket', 'baseball bat'), ('sports ball',))),
    VCOCOAction('eat', ('obj', 'instr'), (_EAT_OBJ, ('fork', 'knife', 'spoon'))),
    VCOCOAction('jump', ('instr',), (('snowboard', 'skis', 'skateboard', 'surfboard'),)),
    VCOCOAction('lay', ('instr',), (_LAY,)),
    VCOCOAction('talk_on_phone', ('instr',), (('cell phone',),)),
    VCOCOAction('carry', ('obj',), ((),)),
    VCOCOAction('throw', ('obj',), (('sports ball', 'frisbee'),)),
    VCOCOAction('catch', ('obj',), (('sports ball', 'frisbee'),)),
    VCOCOAction('cut', ('instr', 'obj'), (('scissors', 'fork', 'knife'), ())),
    VCOCOAction('run', (), ()),
    VCOCOAction('work_on_computer', ('instr',), (('laptop',),)),
    VCOCOAction('ski', ('instr',), (('skis',),)),
    VCOCOAction('surf', ('instr',), (('surfboard',),)),
    VCOCOAction('skateboard', ('instr',), (('skateboard',),)),
    VCOCOAction('smile', (), ()),
    VCOCOAction('drink', ('instr',), (('wine glass', 'bottle', 'cup', 'bowl'),)),
    VCOCOAction('kick', ('obj',), (('sports ball',),)),
    VCOCOAction('point', ('instr',), ((),)),
    VCOCOAction('read', ('obj',), (('book',),)),
    VCOCOAction('snowboard', ('instr',), (('snowboard',),)),
)
VCOCO_ACTION_NAMES = tuple(a.name for a in VCOCO_ACTIONS)
VCOCO_AGENT_ONLY_ACTIONS = tuple(a.name for a in VCOCO_ACTIONS if not a.roles)


def vcoco_class_name(action, role=None):
    """The verb-class name of an action (and role) the QPIC way.

    ``vcoco_class_name('eat', 'instr') == 'eat_instr'``;
    ``vcoco_class_name('stand') == 'stand'``.
    """
    return action if role is None else f'{action}_{role}'


def _build_classes():
    classes, to_action_role = [], {}
    for action in VCOCO_ACTIONS:
        if not action.roles:
            classes.append(action.name)
            to_action_role[action.name] = (action.name, None)
        for role in action.roles:
            name = vcoco_class_name(action.name, role)
            classes.append(name)
            to_action_role[name] = (action.name, role)
    return tuple(classes), to_action_role


#: QPIC's 29 verb classes: 0 hold_obj, 1 stand, ..., 28 snowboard_instr.
VCOCO_CLASSES, VCOCO_CLASS_TO_ACTION_ROLE = _build_classes()
VCOCO_NUM_CLASSES = len(VCOCO_CLASSES)
assert VCOCO_NUM_CLASSES == 29
#: The 4 agent-only classes (stand, walk, run, smile): 1, 4, 18, 23.
VCOCO_AGENT_ONLY_CLASS_INDICES = tuple(
    i for i, c in enumerate(VCOCO_CLASSES) if VCOCO_CLASS_TO_ACTION_ROLE[c][1] is None
)
#: QPIC's ``thesis_map_indices``: the 24 classes of "mAP_thesis" (no
#: agent-only classes, no point_instr).
VCOCO_THESIS_MAP_INDICES = (
    0,
    2,
    3,
    5,
    6,
    7,
    8,
    9,
    10,
    11,
    12,
    13,
    14,
    15,
    16,
    17,
    19,
    20,
    21,
    22,
    24,
    25,
    27,
    28,
)


def _build_phrases():
    both_roles = {a.name for a in VCOCO_ACTIONS if len(a.roles) == 2}
    phrases = {}
    for cls in VCOCO_CLASSES:
        action, role = VCOCO_CLASS_TO_ACTION_ROLE[cls]
        phrase = action.replace('_', ' ')
        if role == 'instr' and action in both_roles:
            phrase += ' with'
        phrases[cls] = phrase
    return phrases


#: Class name -> unique answer phrase: ``X_obj`` and agent-only -> ``'X'``
#: (underscores as spaces), ``X_instr`` -> ``'X'`` except for the actions with
#: both roles (hit, eat, cut), where it is ``'X with'``.
VCOCO_RELATION_PHRASES = _build_phrases()
assert len(set(VCOCO_RELATION_PHRASES.values())) == VCOCO_NUM_CLASSES, (
    'V-COCO relation phrases must be unique'
)

#: The 80 COCO "thing" categories: ``{'id': 1..90, 'name': str}``.
COCO_CATEGORIES = tuple(
    dict(id=i, name=n)
    for i, n in (
        (1, 'person'),
        (2, 'bicycle'),
        (3, 'car'),
        (4, 'motorcycle'),
        (5, 'airplane'),
        (6, 'bus'),
        (7, 'train'),
        (8, 'truck'),
        (9, 'boat'),
        (10, 'traffic light'),
        (11, 'fire hydrant'),
        (13, 'stop sign'),
        (14, 'parking meter'),
        (15, 'bench'),
        (16, 'bird'),
        (17, 'cat'),
        (18, 'dog'),
        (19, 'horse'),
        (20, 'sheep'),
        (21, 'cow'),
        (22, 'elephant'),
        (23, 'bear'),
        (24, 'zebra'),
        (25, 'giraffe'),
        (27, 'backpack'),
        (28, 'umbrella'),
        (31, 'handbag'),
        (32, 'tie'),
        (33, 'suitcase'),
        (34, 'frisbee'),
        (35, 'skis'),
        (36, 'snowboard'),
        (37, 'sports ball'),
        (38, 'kite'),
        (39, 'baseball bat'),
        (40, 'baseball glove'),
        (41, 'skateboard'),
        (42, 'surfboard'),
        (43, 'tennis racket'),
        (44, 'bottle'),
        (46, 'wine glass'),
        (47, 'cup'),
        (48, 'fork'),
        (49, 'knife'),
        (50, 'spoon'),
        (51, 'bowl'),
        (52, 'banana'),
        (53, 'apple'),
        (54, 'sandwich'),
        (55, 'orange'),
        (56, 'broccoli'),
        (57, 'carrot'),
        (58, 'hot dog'),
        (59, 'pizza'),
        (60, 'donut'),
        (61, 'cake'),
        (62, 'chair'),
        (63, 'couch'),
        (64, 'potted plant'),
        (65, 'bed'),
        (67, 'dining table'),
        (70, 'toilet'),
        (72, 'tv'),
        (73, 'laptop'),
        (74, 'mouse'),
        (75, 'remote'),
        (76, 'keyboard'),
        (77, 'cell phone'),
        (78, 'microwave'),
        (79, 'oven'),
        (80, 'toaster'),
        (81, 'sink'),
        (82, 'refrigerator'),
        (84, 'book'),
        (85, 'clock'),
        (86, 'vase'),
        (87, 'scissors'),
        (88, 'teddy bear'),
        (89, 'hair drier'),
        (90, 'toothbrush'),
    )
)
assert len(COCO_CATEGORIES) == 80
#: QPIC's ``_valid_obj_ids``: the 80 ids in order (index = contiguous label).
COCO_CATEGORY_IDS = tuple(c['id'] for c in COCO_CATEGORIES)
COCO_CATEGORY_NAMES = tuple(c['name'] for c in COCO_CATEGORIES)
COCO_ID_TO_NAME = {c['id']: c['name'] for c in COCO_CATEGORIES}
COCO_NAME_TO_ID = {c['name']: c['id'] for c in COCO_CATEGORIES}
#: COCO id (1..90) -> contiguous label 0..79 (QPIC's ``_valid_obj_ids``).
COCO_ID_TO_CONTIGUOUS = {cid: i for i, cid in enumerate(COCO_CATEGORY_IDS)}
COCO_PERSON_ID = 1


def correspondence_matrix(no_object_column=False):
    """The verb x object correspondence matrix rebuilt from ``include``.

    Row ``v`` (QPIC verb order) has ones at the contiguous COCO labels that
    the role of class ``v`` allows; an empty include list (any category, and
    the 4 agent-only classes) gives a row of ones. This equals QPIC's
    ``corre_vcoco.npy`` exactly.

    Args:
        no_object_column (bool): append an 81st column of ones for the
            "no object" label 80, as QPIC's ``VCOCOEvaluator`` does.

    Returns:
        np.ndarray: float64, shape (29, 80) or (29, 81).
    """
    mat = np.zeros((VCOCO_NUM_CLASSES, len(COCO_CATEGORIES)), dtype=np.float64)
    actions = {a.name: a for a in VCOCO_ACTIONS}
    for v, cls in enumerate(VCOCO_CLASSES):
        action, role = VCOCO_CLASS_TO_ACTION_ROLE[cls]
        include = () if role is None else actions[action].include[actions[action].roles.index(role)]
        if not include:
            mat[v] = 1
        for name in include:
            mat[v, COCO_ID_TO_CONTIGUOUS[COCO_NAME_TO_ID[name]]] = 1
    if no_object_column:
        mat = np.concatenate([mat, np.ones((len(mat), 1))], axis=1)
    return mat
