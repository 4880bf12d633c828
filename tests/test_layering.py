"""The package layering of vltoolkit, read from the source (no import).

Arrows point down (docs/design.md): ``apis`` ->
``engine`` -> ``models`` / ``datasets`` / ``evaluation`` / ... ->
``structures`` / ``tokenization`` -> ``registry``, ``utils`` at the bottom.
Every ``import`` counts, the ones inside functions too: a lazy import still
ties the packages together.
"""

import ast
import functools
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / 'vltoolkit'


def _imported_modules(path: Path):
    """``(line, module)`` of every vltoolkit module ``path`` imports (relative
    imports made absolute)."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix('').parts)
    package = parts[:-1]  # the package of a module, or of an __init__.py
    for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                names = ['.'.join(base + ([node.module] if node.module else []))]
            else:
                names = [node.module or '']
        else:
            continue
        for name in names:
            if name == 'vltoolkit' or name.startswith('vltoolkit.'):
                yield node.lineno, name


def _package_of(module: str) -> str:
    parts = module.split('.')
    return parts[1] if len(parts) > 1 else ''


@functools.lru_cache(maxsize=1)
def package_imports():
    """``{package: {imported package: [where, ...]}}`` over vltoolkit's
    sub-packages (the top-level ``vltoolkit/__init__.py`` left out)."""
    graph = {}
    for path in sorted(PACKAGE.rglob('*.py')):
        rel = path.relative_to(PACKAGE)
        if len(rel.parts) == 1 and rel.name == '__init__.py':
            continue
        source = rel.parts[0] if len(rel.parts) > 1 else rel.stem
        for line, module in _imported_modules(path):
            target = _package_of(module)
            if target and target != source:
                where = f'vltoolkit/{rel}:{line} imports {module}'
                graph.setdefault(source, {}).setdefault(target, []).append(where)
    return graph


def test_the_scan_sees_relative_and_lazy_imports():
    """The scanner itself: ``engine/runner/build.py`` imports ``.pre_run``
    (relative, same package) and ``vltoolkit.compat`` (absolute)."""
    build = PACKAGE / 'engine' / 'runner' / 'build.py'
    modules = {m for _, m in _imported_modules(build)}
    assert 'vltoolkit.engine.runner.pre_run' in modules
    assert any(m.startswith('vltoolkit.compat') for m in modules)
    graph = package_imports()
    assert 'engine' in graph['apis']  # the inferencer prepares configs through engine


@pytest.mark.parametrize('package', ['utils', 'registry', 'structures', 'compat'])
def test_bottom_packages_import_nothing_above_them(package):
    allowed = {
        'utils': set(),
        'registry': set(),
        'structures': {'registry'},
        'compat': {'registry'},
    }
    found = package_imports().get(package, {})
    above = {t: w for t, w in found.items() if t not in allowed[package]}
    assert not above, '\n'.join(w for ws in above.values() for w in ws)


@pytest.mark.parametrize(
    'package',
    [
        'models',
        'datasets',
        'evaluation',
        'losses',
        'label_encoders',
        'tokenization',
        'visualization',
    ],
)
def test_library_packages_never_import_engine_or_apis(package):
    found = package_imports().get(package, {})
    up = {t: w for t, w in found.items() if t in ('engine', 'apis')}
    assert not up, '\n'.join(w for ws in up.values() for w in ws)


def test_engine_never_imports_apis():
    found = package_imports().get('engine', {}).get('apis', [])
    assert not found, '\n'.join(found)


def test_no_import_cycle_between_packages():
    graph = {p: set(t) for p, t in package_imports().items()}
    state, stack = {}, []

    def visit(node):
        state[node] = 'open'
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 'open':
                cycle = stack[stack.index(nxt) :] + [nxt]
                details = package_imports()
                raise AssertionError(
                    'import cycle '
                    + ' -> '.join(cycle)
                    + ':\n'
                    + '\n'.join(details[a][b][0] for a, b in zip(cycle, cycle[1:]))
                )
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 'done'

    for node in sorted(graph):
        if node not in state:
            visit(node)
