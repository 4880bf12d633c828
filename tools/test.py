"""Evaluate a checkpoint: ``python tools/test.py CONFIG CKPT [options]``.

Prints the metrics (for HOI: a per-relation table and Macro F1). The options
shared with ``tools/train.py`` live in :mod:`vltoolkit.utils.cli`.
"""

import argparse
import os.path as osp

from vltoolkit.engine import (
    build_runner,
    config_from_args,
    explain_registry_errors,
    finish_distributed,
)
from vltoolkit.engine.runner import explain_config_errors
from vltoolkit.models.pretrained_vlms.zero_shot import checkpoint_to_load
from vltoolkit.utils.cli import add_common_args, print_metrics
from vltoolkit.utils.data_root import check_data_root
from vltoolkit.utils.output_paths import refuse_existing, under_work_dir


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Test a vltoolkit model')
    add_common_args(parser)
    parser.add_argument(
        'checkpoint',
        help='checkpoint file (local path or http(s) URL), '
        'or "none": zero-shot, the pretrained VLM as it is loaded',
    )
    parser.add_argument(
        '--out',
        help='dump the predictions to this .pkl file (a relative path is under the work dir)',
    )
    parser.add_argument('--overwrite', action='store_true', help='replace an existing --out file')
    parser.add_argument(
        '--show-dir',
        help='draw predictions into this folder (a relative path is under the work dir)',
    )
    parser.add_argument('--max-show', type=int, help='draw at most N samples')
    parser.add_argument(
        '--show-order',
        default='first',
        choices=['worst', 'best', 'random', 'first'],
        help='which samples --max-show draws (by the metric)',
    )
    return parser.parse_args(argv)


def merge_test_args(cfg, args):
    """The test-only options: the checkpoint, ``--out`` and ``--show-dir``."""
    cfg.load_from, cfg.resume = checkpoint_to_load(args.checkpoint, cfg.model), False
    args.out = under_work_dir(args.out, cfg.work_dir)
    args.show_dir = under_work_dir(args.show_dir, cfg.work_dir)
    if args.out is not None:
        if not args.out.endswith(('.pkl', '.pickle')):
            raise ValueError(f'--out {args.out}: the dump is a pickle, name it *.pkl')
        refuse_existing(args.out, '--out', getattr(args, 'overwrite', False))
        evaluators = cfg.test_evaluator
        if not isinstance(evaluators, list):
            evaluators = [evaluators]
        cfg.test_evaluator = evaluators + [dict(type='DumpResults', out_file_path=args.out)]
    if args.show_dir is not None:
        cfg.custom_hooks = list(cfg.get('custom_hooks', [])) + [
            dict(
                type='VLVisualizationHook',
                show_dir=osp.abspath(args.show_dir),
                max_samples=args.max_show,
                order=args.show_order,
            )
        ]
    return cfg


def main(argv=None):
    args = parse_args(argv)
    cfg = merge_test_args(config_from_args(args), args)
    check_data_root(cfg)  # a missing data_root named as such (docs/datasets/)
    runner = build_runner(cfg, launcher=args.launcher)
    with explain_registry_errors(), explain_config_errors(cfg):
        metrics = runner.test()
    if runner.rank == 0:
        print_metrics(metrics)
    finish_distributed(0)
    return metrics


if __name__ == '__main__':
    main()
