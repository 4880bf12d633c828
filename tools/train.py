"""Train a model from a config: ``python tools/train.py CONFIG [options]``.

Distributed: ``tools/dist_train.sh CONFIG N`` (torchrun; gloo on CPU).
The options shared with ``tools/test.py`` live in :mod:`vltoolkit.utils.cli`.
"""

import argparse

from vltoolkit.engine import (
    build_runner,
    config_from_args,
    explain_registry_errors,
    finish_distributed,
)
from vltoolkit.engine.hooks import Preempted
from vltoolkit.engine.runner import explain_config_errors
from vltoolkit.engine.runner.work_dir_guard import claim_work_dir
from vltoolkit.utils.cli import add_common_args
from vltoolkit.utils.data_root import check_data_root
from vltoolkit.visualization.trackers import TRACKERS


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Train a vltoolkit model')
    add_common_args(parser, train=True)
    parser.add_argument(
        '--vis-backend',
        nargs='+',
        choices=list(TRACKERS),
        metavar='NAME',
        help='experiment tracking, e.g. tensorboard wandb mlflow (local '
        'scalars.json is always kept; default: the config\'s, TensorBoard)',
    )
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    cfg = config_from_args(args)
    claim_work_dir(cfg, overwrite=args.overwrite)  # no run over another's checkpoints
    check_data_root(cfg)  # a missing data_root named as such (docs/datasets/)
    runner = build_runner(cfg, launcher=args.launcher)
    try:
        with explain_registry_errors(), explain_config_errors(cfg):
            runner.train()
    except Preempted as stop:  # SIGTERM / SIGUSR1: checkpoint saved (PreemptionHook)
        finish_distributed(stop.code)
        raise
    finish_distributed(0)


if __name__ == '__main__':
    main()
