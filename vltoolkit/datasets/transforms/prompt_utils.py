"""Small helpers shared by the prompt transforms (HOI, grounding, tasks)."""

import string

import numpy as np

from vltoolkit.structures import as_boxes, clip_boxes


def box_tokens(box_coder, box, img_shape, clip: bool = False) -> str:
    """The location tokens of one box, glued: ``'<loc_40><loc_1558>'``.

    Args:
        box_coder (BaseBoxCoder): the coder.
        box: ``(x1, y1, x2, y2)`` in pixels of the current (resized) image.
        img_shape: ``(h, w)`` of that image (``results['img_shape']``).
        clip (bool): clip the box to the image first (resizing in float32
            can push a border coordinate a hair outside it). Without it such
            a box raises the coder's ``ValueError``.
    """
    h, w = img_shape[:2]
    if clip:
        box = clip_boxes(as_boxes(box, np.float64), (w, h))[0]
    return ''.join(box_coder.encode(box, (w, h)))


def named_box(box_coder, name: str, box, img_shape, clip: bool = False) -> str:
    """A name followed by the location tokens of its box:
    ``'person<loc_40><loc_1558>'`` (the multi-task HOI study's way of writing an entity)."""
    return name + box_tokens(box_coder, box, img_shape, clip=clip)


def template_fields(template: str) -> list:
    """The field names of a :meth:`str.format` template, in order, without
    repeats: ``'{a} and {b} and {a}'`` -> ``['a', 'b']``. Attribute and
    index access (``{a.b}``, ``{a[0]}``) name the field ``a``."""
    if not isinstance(template, str):
        raise TypeError(f'a template must be a str, got {template!r}')
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as err:
        raise ValueError(f'bad template {template!r}: {err}') from None
    names = []
    for _, field, _, _ in parsed:
        if field is None:
            continue
        if field == '' or field.isdigit():
            raise ValueError(
                f'template {template!r} has a positional field '
                '{}; name every field, e.g. {caption}'
            )
        name = field.split('.')[0].split('[')[0]
        if name not in names:
            names.append(name)
    return names
