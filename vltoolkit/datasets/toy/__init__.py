"""Synthetic data sets that build in seconds on the CPU (demos and tests)."""
from .hoi_toy import (TOY_HOI_CLASSES_USED, TOY_HOI_OBJECTS, make_toy_hoi,
                      make_toy_hoi_scene)

__all__ = [
    'TOY_HOI_CLASSES_USED', 'TOY_HOI_OBJECTS', 'make_toy_hoi',
    'make_toy_hoi_scene'
]
