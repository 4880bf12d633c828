"""Where the recipes (``configs/``) and the tools (``tools/``) are, from a
checkout or from an installed wheel.

A checkout (``pip install -e .`` or ``PYTHONPATH=.``) uses its own
``configs/`` and ``tools/``. A non-editable install has no checkout beside
the package, so ``setup.py`` copies both folders into the package as
``vltoolkit/.mim/configs`` and ``vltoolkit/.mim/tools`` (as mmpretrain does),
and these functions find the copies. Every place that looks for a recipe or a
tool from ``__file__`` goes through here.
"""

from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parents[1]
#: the checkout that holds the package, when there is one
CHECKOUT_ROOT = PACKAGE_ROOT.parent
#: where setup.py puts the copies in a built wheel
PACKAGED_ROOT = PACKAGE_ROOT / '.mim'


def _find(folder: str) -> Path:
    # A checkout is recognised by its pyproject.toml, not by a bare `configs/`
    # folder, which another package may have left in site-packages.
    checkout = CHECKOUT_ROOT / folder
    if (CHECKOUT_ROOT / 'pyproject.toml').is_file() and checkout.is_dir():
        return checkout
    packaged = PACKAGED_ROOT / folder
    if packaged.is_dir():
        return packaged
    raise FileNotFoundError(
        f'no {folder}/ folder: neither {checkout} (a checkout) nor {packaged} '
        '(an installed wheel); reinstall vltoolkit with `pip install .` from a '
        'clone, which copies configs/ and tools/ into the package'
    )


def configs_root() -> Path:
    """The ``configs/`` folder: the checkout's, else the packaged copy."""
    return _find('configs')


def tools_root() -> Path:
    """The ``tools/`` folder: the checkout's, else the packaged copy."""
    return _find('tools')


def resolve_config(config: str) -> str:
    """A recipe path as given if it exists, else the same name under
    :func:`configs_root` (``hoi/gem_distlabel_toy.py`` or
    ``configs/hoi/gem_distlabel_toy.py``), so an installed ``vlt train``
    finds the shipped recipes from any folder."""
    if Path(config).is_file():
        return config
    name = Path(config)
    if name.parts and name.parts[0] == 'configs':
        name = Path(*name.parts[1:])
    candidate = configs_root() / name
    if candidate.is_file():
        return str(candidate)
    raise FileNotFoundError(
        f'config {config!r}: no such file here nor under {configs_root()}; '
        'give a path, or a recipe name such as hoi/gem_distlabel_toy.py '
        '(`vlt list-recipes` lists them)'
    )


def list_recipes() -> list[str]:
    """The shipped recipes, ``<folder>/<recipe>.py`` (no ``_base_`` fragments)."""
    root = configs_root()
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob('*.py')
        if '_base_' not in p.relative_to(root).parts
    )
