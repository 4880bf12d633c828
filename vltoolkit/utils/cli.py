"""The command line shared by ``tools/train.py`` and ``tools/test.py``.

mmpretrain's shape: each tool builds its parser with :func:`add_common_args`,
adds its own options, and reads the config with
:func:`vltoolkit.engine.runner.config_from_args` (the common ones) plus a few
lines of its own. Argument parsing only: this module imports nothing of
vltoolkit above :mod:`vltoolkit.utils`.

Common options: ``config``, ``--work-dir``, ``--cfg-options`` (``key=value``
items; an item without ``=`` is refused with the fix), ``--launcher``,
``--local-rank``; train adds ``--resume``, ``--resume-changes``, ``--overwrite`` and ``--amp`` with
``add_common_args(parser, train=True)``.
"""

import argparse
import os.path as osp

from mmengine.config import DictAction

__all__ = [
    'CfgOptionsAction',
    'add_cfg_options',
    'add_common_args',
    'default_work_dir',
    'print_metrics',
]

LAUNCHERS = ('none', 'pytorch', 'slurm', 'mpi')


class CfgOptionsAction(DictAction):
    """mmengine's ``DictAction`` that refuses an item without ``=``.

    ``--cfg-options train_cfg.max_epochs 2`` would otherwise die inside
    mmengine with ``ValueError: not enough values to unpack``.
    """

    def __call__(self, parser, namespace, values, option_string=None):
        for item in values or ():
            if '=' not in item:
                parser.error(
                    f'{option_string} item {item!r} has no "=": write each '
                    'override as key=value, e.g. train_cfg.max_epochs=2 or '
                    "data_root=data/my_set (no spaces around '=')"
                )
        super().__call__(parser, namespace, values, option_string)


def add_cfg_options(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add ``--cfg-options KEY=VALUE ...`` (every tool that reads a config
    takes it; see :func:`vltoolkit.engine.runner.prepare_config`)."""
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=CfgOptionsAction,
        metavar='KEY=VALUE',
        help='override config keys, e.g. train_cfg.max_epochs=2 data_root=data/my_set; '
        'a key the config lacks but that is close to one it has is refused '
        '(+KEY=VALUE adds a new key)',
    )
    return parser


def add_common_args(
    parser: argparse.ArgumentParser, train: bool = False
) -> argparse.ArgumentParser:
    """Add the options train and test share (and, with ``train=True``,
    ``--resume`` and ``--amp``) to ``parser``; the positional ``config`` is
    added first, so add other positionals after calling this."""
    parser.add_argument('config', help='config file path')
    parser.add_argument('--work-dir', help='where logs, checkpoints and outputs go')
    add_cfg_options(parser)
    parser.add_argument('--launcher', choices=LAUNCHERS, default='none', help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    if train:
        parser.add_argument(
            '--resume',
            nargs='?',
            type=str,
            const='auto',
            help='resume from CKPT, or with no value from the latest checkpoint of the work dir',
        )
        parser.add_argument(
            '--resume-changes',
            choices=['refuse', 'apply'],
            help='when the data set, the sampler seed or the optimizer / schedule '
            'settings differ from the checkpoint: refuse (default) or apply the new values',
        )
        parser.add_argument(
            '--overwrite',
            action='store_true',
            help='start a new run in a work dir that holds checkpoints of an '
            'earlier run (they are written over); without it such a run is refused',
        )
        parser.add_argument(
            '--strategy',
            metavar='NAME',
            help='train through mmengine FlexibleRunner with a strategy of '
            'configs/_base_/strategies (ddp, fsdp, deepspeed_zero2, '
            'deepspeed_zero3) or a fragment file',
        )
        parser.add_argument(
            '--amp',
            action='store_true',
            help='mixed precision: bf16 autocast (fp16 + dynamic loss scaling '
            'on GPUs without bf16)',
        )
    return parser


def default_work_dir(config_path: str) -> str:
    """``work_dirs/<folder>/<recipe>`` for ``configs/<folder>/<recipe>.py``
    (a config that sets no ``work_dir``).

    The folder keeps recipes of the same name in different task folders
    (``configs/hoi/ce_onehot_toy.py``, ``configs/grounding/ce_onehot_toy.py``)
    apart, so ``--resume`` never picks up the other task's checkpoint.
    """
    path = osp.abspath(config_path)
    folder = osp.basename(osp.dirname(path))
    return osp.join('work_dirs', folder, osp.splitext(osp.basename(path))[0])


def print_metrics(metrics: dict, title: str = 'Test results') -> None:
    """The metrics as a two-column rich table."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    table.add_column('metric')
    table.add_column('value', justify='right')
    for key, value in metrics.items():
        table.add_row(key, f'{value:.2f}' if isinstance(value, float) else str(value))
    Console().print(table)
