"""Shared test set-up."""
from pathlib import Path

import pytest
from mmengine.registry import init_default_scope

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT.parent / 'shared' / 'fixtures'


@pytest.fixture(autouse=True)
def vltoolkit_scope():
    """Registry builds resolve in the vltoolkit scope, whatever scope a
    Runner built by an earlier test left as the current default."""
    init_default_scope('vltoolkit')
    yield
