"""The command line shared by ``tools/train.py`` and ``tools/test.py``.

mmpretrain's shape: each tool builds its parser with :func:`add_common_args`,
adds its own options, and folds the parsed arguments into the config with
:func:`merge_args` (the common ones) plus a few lines of its own.

Common options: ``config``, ``--work-dir``, ``--cfg-options`` (``key=value``
items; an item without ``=`` is refused with the fix), ``--launcher``,
``--local-rank``; train adds ``--resume``, ``--resume-changes``, ``--overwrite`` and ``--amp`` with
``add_common_args(parser, train=True)``.
"""

import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction

from vltoolkit.engine.optim.mixed_precision import AMP_WRAPPERS  # noqa: F401

__all__ = [
    'CfgOptionsAction',
    'add_common_args',
    'merge_args',
    'default_work_dir',
    'amp_optim_wrapper',
    'AMP_WRAPPERS',
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


def add_common_args(
    parser: argparse.ArgumentParser, train: bool = False
) -> argparse.ArgumentParser:
    """Add the options train and test share (and, with ``train=True``,
    ``--resume`` and ``--amp``) to ``parser``; the positional ``config`` is
    added first, so add other positionals after calling this."""
    parser.add_argument('config', help='config file path')
    parser.add_argument('--work-dir', help='where logs, checkpoints and outputs go')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=CfgOptionsAction,
        metavar='KEY=VALUE',
        help='override config keys, e.g. train_cfg.max_epochs=2 data_root=data/my_set',
    )
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


def amp_optim_wrapper(wrapper_cfg: dict) -> dict:
    """``--amp``: bf16 autocast where the device supports it, fp16 with
    dynamic loss scaling on GPUs without bf16
    (:func:`vltoolkit.engine.optim.amp_optim_wrapper_cfg`)."""
    from vltoolkit.engine.optim.mixed_precision import amp_optim_wrapper_cfg

    return amp_optim_wrapper_cfg(wrapper_cfg)


def merge_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Fold the common options into ``cfg`` (``--cfg-options`` first, so the
    explicit flags win) and export ``LOCAL_RANK`` for the launcher."""
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    if args.cfg_options:
        from .config_refs import merge_overrides

        merge_overrides(cfg, args.cfg_options)  # model.loss.x edits ${loss}.x
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = default_work_dir(args.config)
    if getattr(args, 'strategy', None):
        from vltoolkit.engine.runner.strategy import apply_strategy

        apply_strategy(cfg, args.strategy)
    if getattr(args, 'amp', False):
        cfg.optim_wrapper = amp_optim_wrapper(cfg.optim_wrapper)
    if getattr(args, 'resume_changes', None):
        cfg.resume_changes = args.resume_changes
    resume = getattr(args, 'resume', None)
    if resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif resume is not None:
        cfg.resume, cfg.load_from = True, resume
    return cfg


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
