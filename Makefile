# vltoolkit: `make demo` trains and tests the toy HOI recipe on the CPU;
# `make test` runs the whole test suite (2 pytest-xdist workers); `make docs` builds the
# docs site (work_dirs/site, strict: broken links fail); `make lint` runs ruff (lint,
# import order, format), codespell and mypy as CI does. All create .venv on first use.
VENV ?= .venv
PY := $(VENV)/bin/python
TOY_CFG := configs/hoi/gem_distlabel_toy.py

.PHONY: venv demo test test-fast docs lint clean

venv: $(VENV)/.installed

$(VENV)/.installed: requirements/runtime.txt requirements/tests.txt requirements/docs.txt setup.py pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -r requirements/runtime.txt -r requirements/tests.txt
	$(PY) -m pip install --no-deps -e .
	touch $@

demo: venv
	$(PY) tools/demo.py --config $(TOY_CFG)

# pytest-xdist: one worker per core (2 on the CI machine), one thread each; the
# tests that share a module fixture or a toy folder stay on one worker
# (--dist loadgroup, tests/conftest.py). TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2
PYTEST := $(PY) -m pytest tests -n $(TEST_WORKERS) --dist loadgroup

test: venv
	$(PYTEST)

test-fast: venv
	$(PYTEST) -m "not slow"

docs: venv
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/codespell
	$(PY) -m mypy

clean:
	rm -rf work_dirs data/toy_hoi data/toy_hoi_* .dist_test
