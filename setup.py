"""Install vltoolkit: ``pip install -e .`` (the Makefile pins the stack)."""

from setuptools import find_packages, setup


def read_requirements(path):
    with open(path) as f:
        return [
            line.split('#')[0].strip()
            for line in f
            if line.split('#')[0].strip() and not line.startswith('-')
        ]


version = {}
with open('vltoolkit/version.py') as f:
    exec(f.read(), version)

setup(
    name='vltoolkit',
    version=version['__version__'],
    description='An OpenMMLab-style toolkit for vision-and-language research',
    long_description=open('README.md').read(),
    long_description_content_type='text/markdown',
    packages=find_packages(include=['vltoolkit', 'vltoolkit.*']),
    python_requires='>=3.10',
    install_requires=read_requirements('requirements/runtime.txt'),
    extras_require=dict(tests=read_requirements('requirements/tests.txt')),
    license='Apache-2.0',
)
