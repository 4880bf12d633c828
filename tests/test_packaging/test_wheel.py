"""A non-editable install from the wheel: the recipes and tools ship in the
package, and ``vlt train <shipped recipe>`` trains from a folder that is not
the checkout.

The wheel is built with ``--no-build-isolation`` and installed with
``--no-deps`` into a fresh venv that sees this environment's site-packages
through a ``.pth`` line (torch and the stack are not reinstalled; the
``.pth`` files there, such as an editable install of vltoolkit, stay inactive).
"""

import os
import shutil
import site
import subprocess
import sys

import pytest

from tests.conftest import ROOT

#: what a clone holds that the build reads (MANIFEST.in, setup.py)
SOURCES = ('vltoolkit', 'configs', 'tools', 'requirements')
FILES = ('setup.py', 'pyproject.toml', 'README.md', 'MANIFEST.in')


CHECKS = """
import vltoolkit
from mmengine.config import Config
from vltoolkit.engine.runner.strategy import apply_strategy, available_strategies
from vltoolkit.engine.runner.strategy import prepare_strategy_cfg
from vltoolkit.utils.paths import configs_root, list_recipes, resolve_config, tools_root
for value in (vltoolkit.__file__, configs_root(), tools_root(), ' '.join(list_recipes())):
    print('CHECK', value)
print('CHECK', available_strategies())
cfg = Config.fromfile(resolve_config('hoi/gem_distlabel_toy.py'))
cfg = prepare_strategy_cfg(apply_strategy(cfg, 'fsdp'))
print('CHECK', cfg.strategy['type'], cfg.optim_wrapper['type'])
"""


def _run(cmd, cwd, env, timeout=600):
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f'{cmd} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}'
    return proc.stdout


@pytest.fixture(scope='module')
def wheel_venv(tmp_path_factory):
    """(venv bin folder, environment) with vltoolkit installed from its wheel."""
    tmp = tmp_path_factory.mktemp('wheel')
    src = tmp / 'src'
    ignore = shutil.ignore_patterns('__pycache__', '*.pyc', '.mim')
    for name in SOURCES:
        shutil.copytree(ROOT / name, src / name, ignore=ignore)
    for name in FILES:
        shutil.copy(ROOT / name, src / name)
    env = {k: v for k, v in os.environ.items() if k not in ('PYTHONPATH', 'PIP_USER')}
    env['HF_HUB_OFFLINE'] = '1'
    _run(
        [sys.executable, '-m', 'pip', 'wheel', '--no-deps', '--no-build-isolation', '-q']
        + ['-w', str(tmp / 'dist'), str(src)],
        tmp,
        env,
    )
    (wheel,) = (tmp / 'dist').glob('vltoolkit-*.whl')
    venv = tmp / 'venv'
    _run([sys.executable, '-m', 'venv', '--without-pip', str(venv)], tmp, env)
    bin_dir = venv / 'bin'
    purelib = _run(
        [str(bin_dir / 'python'), '-c', 'import sysconfig; print(sysconfig.get_path("purelib"))'],
        tmp,
        env,
    ).strip()
    with open(os.path.join(purelib, 'shared_stack.pth'), 'w') as f:
        f.write('\n'.join(site.getsitepackages()) + '\n')
    _run([str(bin_dir / 'python'), '-m', 'pip', 'install', '--no-deps', '-q', str(wheel)], tmp, env)
    return bin_dir, env


@pytest.mark.slow
def test_wheel_install_trains_a_shipped_recipe(wheel_venv, tmp_path):
    bin_dir, env = wheel_venv
    python, vlt = str(bin_dir / 'python'), str(bin_dir / 'vlt')
    # one interpreter start for the static checks (each start imports torch)
    # (a library may log to stdout, e.g. deepspeed's accelerator line: keep the CHECK lines)
    lines = _run([python, '-c', CHECKS], tmp_path, env).splitlines()
    out = [line[len('CHECK ') :] for line in lines if line.startswith('CHECK ')]
    package, configs, tools, recipes, strategies, fsdp = out
    # the installed copy, with its recipes and tools inside, not the checkout
    assert all(line.startswith(str(bin_dir.parent)) for line in (package, configs, tools))
    assert configs.endswith(os.path.join('vltoolkit', '.mim', 'configs'))
    assert 'hoi/gem_distlabel_toy.py' in recipes.split() and '_base_' not in recipes
    # --strategy fsdp resolves against the packaged strategies
    assert strategies == "['ddp', 'deepspeed_zero2', 'deepspeed_zero3', 'fsdp']"
    assert fsdp == 'FSDPStrategy ShardedOptimWrapper'

    # data, tokenizer and one epoch of the flagship toy recipe, from this folder
    _run([vlt, 'make-toy', 'hoi', '--out', 'data/toy_hoi', '--num-train', '8', '--num-test', '4'],
         tmp_path, env)  # fmt: skip
    _run([vlt, 'build-tokenizer', 'hoi/gem_distlabel_toy.py'], tmp_path, env)
    _run(
        [vlt, 'train', 'hoi/gem_distlabel_toy.py', '--cfg-options', 'train_cfg.max_epochs=1'],
        tmp_path,
        env,
    )
    work_dir = tmp_path / 'work_dirs' / 'hoi' / 'gem_distlabel_toy'
    assert (work_dir / 'epoch_1.pth').is_file()
    assert not (ROOT / 'vltoolkit' / '.mim').exists()  # the build did not write into the clone
