"""Train a model from a config: ``python tools/train.py CONFIG [options]``.

Distributed: ``tools/dist_train.sh CONFIG N`` (torchrun; gloo on CPU).
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
    parser = argparse.ArgumentParser(description='Train a vltoolkit model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='where logs and checkpoints go')
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto',
        help='resume from CKPT, or with no value from the latest checkpoint '
        'of the work dir')
    parser.add_argument('--amp', action='store_true',
                        help='mixed precision (fp16 AMP on GPU, bf16 autocast on CPU)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config keys, e.g. train_cfg.max_epochs=2')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none', help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


# --amp: the mixed-precision twin of each wrapper (GPU, CPU)
AMP_WRAPPERS = {
    'OptimWrapper': ('AmpOptimWrapper', 'AutocastOptimWrapper'),
    'ExactAccumulationOptimWrapper': ('ExactAccumulationAmpOptimWrapper',
                                      'ExactAccumulationAutocastOptimWrapper'),
}


def amp_optim_wrapper(wrapper_cfg):
    """fp16 AMP (with dynamic loss scaling) on CUDA, bf16 autocast elsewhere."""
    import torch
    wrapper_type = wrapper_cfg.get('type', 'OptimWrapper')
    if wrapper_type not in AMP_WRAPPERS:
        return wrapper_cfg  # already mixed precision, or a custom wrapper
    gpu, cpu = AMP_WRAPPERS[wrapper_type]
    if torch.cuda.is_available():
        wrapper_cfg.update(type=gpu, dtype=wrapper_cfg.get('dtype', 'float16'),
                           loss_scale=wrapper_cfg.get('loss_scale', 'dynamic'))
    else:
        wrapper_cfg.update(type=cpu, dtype=wrapper_cfg.get('dtype', 'bfloat16'))
    return wrapper_cfg


def merge_args(cfg, args):
    """Fold the command line into the config (mmpretrain's shape)."""
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('work_dirs', osp.splitext(osp.basename(args.config))[0])
    if args.amp:
        cfg.optim_wrapper = amp_optim_wrapper(cfg.optim_wrapper)
    if args.resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif args.resume is not None:
        cfg.resume, cfg.load_from = True, args.resume
    return cfg


def main(argv=None):
    args = parse_args(argv)
    cfg = merge_args(Config.fromfile(args.config), args)
    runner = build_runner(cfg, launcher=args.launcher)
    with explain_registry_errors():
        runner.train()
    finish_distributed(0)


if __name__ == '__main__':
    main()
