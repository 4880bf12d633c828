"""The API reference of the docs site, generated from the source at build time.

A mkdocs hook (``hooks:`` in ``mkdocs.yml``). It reads ``vltoolkit/`` with
:mod:`ast` (nothing is imported, so the build needs no torch) and writes:

* one page per registry (``api/<registry>.md``): every class or function
  decorated with ``@<REGISTRY>.register_module()``, rendered from its
  docstring by mkdocstrings (``::: module.Name``);
* one page per subpackage (``api/vltoolkit.<subpackage>.md``): the other names of its
  ``__all__`` (public functions and classes that are not registered);
* ``api/index.md``, an overview of both; and the "API reference" section of
  the nav.

A class registered tomorrow gets its entry without a hand list;
``tests/test_docs/test_site.py`` checks that the registries a running
vltoolkit has are all documented.
"""

import ast
from collections import defaultdict
from pathlib import Path

from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / 'vltoolkit'
API_DIR = 'api'
NAV_TITLE = 'API reference'

#: registry variable -> (page slug, title); registries not listed get their own name
REGISTRY_PAGES = {
    'MODELS': ('models', 'Models'),
    'LOSSES': ('losses', 'Losses'),
    'LABEL_ENCODERS': ('label_encoders', 'Label encoders'),
    'BOX_CODERS': ('box_coders', 'Box coders'),
    'TOKENIZERS': ('tokenizers', 'Tokenizers'),
    'DATASETS': ('datasets', 'Datasets'),
    'TRANSFORMS': ('transforms', 'Transforms'),
    'DATA_SAMPLERS': ('data_samplers', 'Data samplers'),
    'METRICS': ('metrics', 'Metrics'),
    'HOOKS': ('hooks', 'Hooks'),
    'LOOPS': ('loops', 'Loops'),
    'OPTIM_WRAPPERS': ('optim_wrappers', 'Optimizer wrappers'),
    'OPTIM_WRAPPER_CONSTRUCTORS': ('optim_constructors', 'Optimizer wrapper constructors'),
    'VISUALIZERS': ('visualizers', 'Visualizers'),
    'VISBACKENDS': ('vis_backends', 'Visualization backends'),
    'MMENGINE_FUNCTIONS': ('functions', 'Functions (collate)'),
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix('').parts
    return '.'.join(parts[:-1] if parts[-1] == '__init__' else parts)


def _registry_of(decorator) -> str:
    """``REG`` for ``@REG.register_module(...)``, else ''."""
    if isinstance(decorator, ast.Call):
        decorator = decorator.func
    if (
        isinstance(decorator, ast.Attribute)
        and decorator.attr == 'register_module'
        and isinstance(decorator.value, ast.Name)
    ):
        return decorator.value.id
    return ''


def registered_objects() -> dict:
    """``{registry variable: [(module, name), ...]}`` of every decorated
    class and function under ``vltoolkit/``, in module order."""
    found = defaultdict(list)
    for path in sorted(PACKAGE.rglob('*.py')):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
                for decorator in node.decorator_list:
                    registry = _registry_of(decorator)
                    if registry:
                        found[registry].append((_module_name(path), node.name))
    return dict(found)


def public_names() -> dict:
    """``{subpackage: {name: identifier}}``: the ``__all__`` of each
    subpackage, each name with the module it is imported from (lazy imports
    inside a module ``__getattr__`` included)."""
    names = {}
    for init in sorted(PACKAGE.glob('*/__init__.py')):
        package = _module_name(init)
        tree = ast.parse(init.read_text(), filename=str(init))
        origin = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                module = f'{package}.{node.module}' if node.module else package
                for alias in node.names:
                    origin[alias.asname or alias.name] = f'{module}.{alias.name}'
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == '__all__' for t in node.targets
            ):
                exported = [ast.literal_eval(e) for e in node.value.elts]
                names[package] = {n: origin.get(n, f'{package}.{n}') for n in exported}
    return names


def _block(identifier: str) -> str:
    return f'::: {identifier}\n'


def api_pages() -> dict:
    """``{path under docs/: (nav title, Markdown)}`` of the API reference."""
    registered = registered_objects()
    registered_names = {name for objects in registered.values() for _, name in objects}
    pages = {}
    overview = [
        '# API reference',
        '',
        'Generated from the docstrings at every build (`docs_hooks/api_reference.py`):',
        'one page per registry, with every class registered in it (the `type=` names a',
        'config uses), and one page per subpackage with its other public functions and',
        'classes.',
        '',
        '## Registered classes',
        '',
        '| registry | page | names a config can use as `type=` |',
        '|---|---|---|',
    ]
    for registry, objects in sorted(registered.items(), key=lambda kv: _registry_key(kv[0])):
        slug, title = REGISTRY_PAGES.get(registry, (registry.lower(), registry.title()))
        path = f'{API_DIR}/{slug}.md'
        body = [f'# {title}', '', f'Registered in `vltoolkit.registry.{registry}`.', '']
        body += [_block(f'{module}.{name}') for module, name in objects]
        pages[path] = (title, '\n'.join(body))
        names = ', '.join(f'`{name}`' for _, name in objects)
        overview.append(f'| `{registry}` | [{title}]({slug}.md) | {names} |')
    overview += [
        '',
        '## Public functions and classes by subpackage',
        '',
        '| subpackage | page | names |',
        '|---|---|---|',
    ]
    for package, names in public_names().items():
        shown = [n for n in names if n not in registered_names and not n.startswith('_')]
        if not shown:
            continue
        slug = package  # vltoolkit.losses: apart from the registry pages (losses)
        path = f'{API_DIR}/{slug}.md'
        body = [f'# `{package}`', '', f'The public names of `{package}` (its `__all__`)', '']
        if len(shown) < len(names):
            body[-2] += '; its registered classes are on the registry pages.'
        else:
            body[-2] += '.'
        body += [_block(names[name]) for name in shown]
        pages[path] = (f'{package}', '\n'.join(body))
        listed = ', '.join(f'`{n}`' for n in shown)
        overview.append(f'| `{package}` | [{package}]({slug}.md) | {listed} |')
    pages[f'{API_DIR}/index.md'] = ('Overview', '\n'.join(overview) + '\n')
    return pages


def _registry_key(registry: str):
    order = list(REGISTRY_PAGES)
    return (order.index(registry) if registry in order else len(order), registry)


def _nav(pages: dict) -> list:
    registries = [
        {title: path}
        for path, (title, _) in pages.items()
        if not path.endswith('index.md') and not title.startswith('vltoolkit.')
    ]
    packages = [
        {title: path} for path, (title, _) in pages.items() if title.startswith('vltoolkit.')
    ]
    return [
        {'Overview': f'{API_DIR}/index.md'},
        {'Registered classes': registries},
        {'Functions and classes': packages},
    ]


_PAGES = {}


def on_config(config):
    """Fill the nav's "API reference" section with the generated pages."""
    _PAGES.clear()
    _PAGES.update(api_pages())
    for i, entry in enumerate(config.nav or []):
        if isinstance(entry, dict) and NAV_TITLE in entry:
            config.nav[i] = {NAV_TITLE: _nav(_PAGES)}
    return config


def on_files(files, config):
    """Add the generated pages to the site."""
    for path, (_, text) in _PAGES.items():
        files.append(File.generated(config, path, content=text))
    return files


if __name__ == '__main__':  # print what the hook generates
    for page, (title, text) in api_pages().items():
        print(f'{page}: {title}, {text.count(":::")} entries')
