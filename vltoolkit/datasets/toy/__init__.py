"""Synthetic data sets that build in seconds on the CPU (demos and tests)."""
from .hoi_toy import (TOY_HOI_CLASSES_USED, TOY_HOI_OBJECTS, make_toy_hoi,
                      make_toy_hoi_scene)

__all__ = [
    'TOY_HOI_CLASSES_USED', 'TOY_HOI_OBJECTS', 'make_toy_hoi',
    'make_toy_hoi_scene'
]
from .grounding_toy import (TOY_REFCOCO_CATEGORIES, TOY_REFCOCO_COLOURS,  # noqa: E402
                            make_toy_refcoco, make_toy_refcoco_scene)

__all__ += ['TOY_REFCOCO_CATEGORIES', 'TOY_REFCOCO_COLOURS', 'make_toy_refcoco',
            'make_toy_refcoco_scene']
