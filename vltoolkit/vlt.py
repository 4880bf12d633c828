"""The ``vlt`` command: the tools of ``tools/`` for an installed vltoolkit.

::

    vlt train CONFIG [train.py options]          # tools/train.py
    vlt test CONFIG CHECKPOINT [test.py options] # tools/test.py
    vlt infer CONFIG CHECKPOINT IMAGE [...]      # tools/infer.py
    vlt dist-train CONFIG N [train.py options]   # tools/dist_train.sh (torchrun)
    vlt dist-test CONFIG CHECKPOINT N [...]      # tools/dist_test.sh (torchrun)
    vlt make-toy hoi --out data/toy_hoi          # tools/data/make_toy.py
    vlt build-tokenizer CONFIG                   # tools/data/build_tokenizer.py
    vlt run analysis/count_params.py CONFIG      # any script under tools/
    vlt list-recipes                             # the shipped recipes

CONFIG is a path, or a recipe name relative to the shipped ``configs/``
(``hoi/gem_distlabel_toy.py``), so the recipes of a wheel install run from
any folder (:func:`vltoolkit.utils.paths.resolve_config`). The tools run from
the checkout's ``tools/`` or, installed from a wheel, from the copy in the
package (:func:`vltoolkit.utils.paths.tools_root`), exactly as
``python tools/<tool>.py`` would run them.
"""

import os
import runpy
import subprocess
import sys
from collections.abc import Sequence

from vltoolkit.utils.paths import list_recipes, resolve_config, tools_root

#: command -> (script under tools/, how many leading positionals, the first a config)
TOOLS = {
    'train': ('train.py', 1),
    'test': ('test.py', 1),
    'infer': ('infer.py', 1),
    'make-toy': ('data/make_toy.py', 0),
    'build-tokenizer': ('data/build_tokenizer.py', 1),
}
#: command -> (script torchrun runs, positionals before the process count)
DIST_TOOLS = {'dist-train': ('train.py', 1), 'dist-test': ('test.py', 2)}


def _with_config(args: list[str], has_config: int) -> list[str]:
    """``args`` with a leading CONFIG resolved to a file (options first,
    e.g. ``--help``, are left alone)."""
    if has_config and args and not args[0].startswith('-'):
        return [resolve_config(args[0]), *args[1:]]
    return args


def run_tool(script: str, args: Sequence[str]) -> None:
    """Run ``tools/<script>`` as ``python tools/<script> ARGS`` would."""
    path = tools_root() / script
    if not path.is_file():
        raise SystemExit(f'vlt: no tool {script!r} under {tools_root()}')
    sys.argv = [str(path), *args]
    sys.path.insert(0, str(path.parent))
    runpy.run_path(str(path), run_name='__main__')


def dist_command(script: str, args: Sequence[str], before_count: int) -> list[str]:
    """The torchrun command of ``tools/dist_{train,test}.sh``: ``args`` are the
    tool's positionals (``before_count`` of them), the process count, then
    the tool's options. NNODES, NODE_RANK, MASTER_ADDR and PORT are read from
    the environment, as the shell scripts do."""
    if len(args) <= before_count:
        raise SystemExit(f'vlt: give the {before_count} positional(s) and the process count')
    positionals, nproc, options = args[:before_count], args[before_count], args[before_count + 1 :]
    env = os.environ
    return [
        sys.executable,
        '-m',
        'torch.distributed.run',
        f'--nnodes={env.get("NNODES", "1")}',
        f'--node_rank={env.get("NODE_RANK", "0")}',
        f'--master_addr={env.get("MASTER_ADDR", "127.0.0.1")}',
        f'--nproc_per_node={nproc}',
        f'--master_port={env.get("PORT", "29500")}',
        str(tools_root() / script),
        *_with_config(list(positionals), 1),
        '--launcher',
        'pytorch',
        *options,
    ]


def usage() -> str:
    return __doc__.split('::')[1].split('CONFIG is')[0].rstrip()


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ('-h', '--help'):
        print('usage:' + usage())
        return 0 if argv else 2
    command, args = argv[0], argv[1:]
    if command == 'list-recipes':
        print('\n'.join(list_recipes()))
        return 0
    if command == 'run':
        if not args:
            raise SystemExit('vlt run: give a script under tools/, e.g. analysis/count_params.py')
        run_tool(args[0], args[1:])
        return 0
    if command not in TOOLS and command not in DIST_TOOLS:
        print(f'vlt: unknown command {command!r}\nusage:{usage()}', file=sys.stderr)
        return 2
    try:  # a missing recipe or tools/ folder: one line, not a traceback
        if command in TOOLS:
            script, has_config = TOOLS[command]
            args = _with_config(args, has_config)
        else:
            script, before = DIST_TOOLS[command]
            cmd = dist_command(script, args, before)
    except FileNotFoundError as err:
        print(f'vlt {command}: {err}', file=sys.stderr)
        return 2
    if command in TOOLS:
        run_tool(script, args)
        return 0
    env = dict(os.environ)
    env.setdefault('OMP_NUM_THREADS', '1')
    return subprocess.call(cmd, env=env)


if __name__ == '__main__':
    sys.exit(main())
