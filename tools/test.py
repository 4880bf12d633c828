"""Evaluate a checkpoint: ``python tools/test.py CONFIG CKPT [options]``.

Prints the metrics (for HOI: a per-relation table and Macro F1).
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmengine.config import Config, DictAction  # noqa: E402

from vltoolkit.engine import (build_runner, explain_registry_errors,  # noqa: E402
                              finish_distributed)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Test a vltoolkit model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file (local path or http(s) URL)')
    parser.add_argument('--work-dir', help='where the test logs go')
    parser.add_argument('--out', help='dump the predictions to this .pkl file')
    parser.add_argument('--show-dir', help='draw predictions into this folder')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config keys')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none', help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def merge_args(cfg, args):
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('work_dirs', osp.splitext(osp.basename(args.config))[0])
    cfg.load_from = args.checkpoint
    cfg.resume = False
    if args.out is not None:
        if not args.out.endswith(('.pkl', '.pickle')):
            raise ValueError(f'--out {args.out}: the dump is a pickle, name it *.pkl')
        evaluators = cfg.test_evaluator
        if not isinstance(evaluators, list):
            evaluators = [evaluators]
        cfg.test_evaluator = evaluators + [dict(type='DumpResults',
                                                out_file_path=args.out)]
    if args.show_dir is not None:
        cfg.custom_hooks = list(cfg.get('custom_hooks', [])) + [
            dict(type='VLVisualizationHook', show_dir=osp.abspath(args.show_dir))]
    return cfg


def print_metrics(metrics: dict) -> None:
    from rich.console import Console
    from rich.table import Table
    table = Table(title='Test results')
    table.add_column('metric')
    table.add_column('value', justify='right')
    for key, value in metrics.items():
        table.add_row(key, f'{value:.2f}' if isinstance(value, float) else str(value))
    Console().print(table)


def main(argv=None):
    args = parse_args(argv)
    cfg = merge_args(Config.fromfile(args.config), args)
    runner = build_runner(cfg, launcher=args.launcher)
    with explain_registry_errors():
        metrics = runner.test()
    if runner.rank == 0:
        print_metrics(metrics)
    finish_distributed(0)
    return metrics


if __name__ == '__main__':
    main()
