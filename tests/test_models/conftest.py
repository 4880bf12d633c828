"""Re-exported for tests that import the tiny model config from here."""

from tests.conftest import BOX_CODER, TEXTS, tiny_model_cfg  # noqa: F401
