"""The thin setuptools entry behind ``pip install -e .`` and ``pip install .``.

The metadata is in ``pyproject.toml``. This file adds the two things it cannot
say there:

* the requirements, read from ``requirements/*.txt`` (whose inline comments
  say why each pin exists; the Makefile installs the same files);
* the recipes and tools inside the wheel: a non-editable build copies
  ``configs/`` and ``tools/`` into ``vltoolkit/.mim/`` (as mmpretrain does), where
  :mod:`vltoolkit.utils.paths` finds them when no checkout is beside the package.
"""

import os.path as osp
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = osp.dirname(osp.abspath(__file__))
#: folders of the checkout shipped in the wheel as vltoolkit/.mim/<folder>
SHIPPED = ('configs', 'tools')


def read_requirements(name):
    """The requirements of ``requirements/<name>``, without comments;
    ``-r other.txt`` lines are followed."""
    out = []
    with open(osp.join(HERE, 'requirements', name)) as f:
        for line in f:
            line = line.split('#')[0].strip()
            if line.startswith('-r '):
                out += read_requirements(line[3:].strip())
            elif line and not line.startswith('-'):
                out.append(line)
    return out


class BuildWithRecipes(build_py):
    """build_py that also copies configs/ and tools/ into vltoolkit/.mim/."""

    def run(self):
        super().run()
        if getattr(self, 'editable_mode', False):
            return  # an editable install reads the checkout's folders
        for folder in SHIPPED:
            target = osp.join(self.build_lib, 'vltoolkit', '.mim', folder)
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(
                osp.join(HERE, folder),
                target,
                ignore=shutil.ignore_patterns('__pycache__', '*.pyc'),
            )


optional = read_requirements('optional.txt')
setup(
    install_requires=read_requirements('runtime.txt'),
    extras_require=dict(
        tests=read_requirements('tests.txt'),
        docs=read_requirements('docs.txt'),
        deepspeed=[r for r in optional if r.startswith('deepspeed')],
        optional=optional,
    ),
    cmdclass=dict(build_py=BuildWithRecipes),
)
