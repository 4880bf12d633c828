"""The toy HOI set and a toy HOI checkpoint (trained a few epochs) with its
test-set dump, from tests/test_tools/conftest.py."""

from tests.test_tools.conftest import (  # noqa: F401
    SMALL,
    TOY_CFG,
    run_tool,
    toy_workdir,
    trained_toy,
)
