"""Training speed of a recipe: the Runner's step against a hand-written loop.

``python tools/analysis/benchmark_train.py CONFIG [--steps N] [--batch-size B]
[--warmup W] [--amp] [--grad-checkpointing] [--synthetic] [--cfg-options ...]``

In one process: the Runner (the recipe's model, optimizer wrapper, default
hooks and logging; an ``IterBasedTrainLoop`` of ``W + N`` iterations, no
validation or checkpoints) trains while every iteration is clocked and its
batch kept; then a hand-written PyTorch loop (forward, backward, clip, step)
trains the same model on the last ``N`` of those batches. Printed:
samples/s, target tokens/s, the share of the Runner's time spent waiting for
the data loader, peak memory, the FLOPs of a step (counted by PyTorch's
``FlopCounterMode``) as FLOP/s and, on a GPU of known peak, as MFU; and the
Runner / hand-written step time ratio (goal <= 1.05).

``--synthetic`` needs no data and no weights: the model is built from the
architecture the config describes (random init, see count_params.py; a
pretrained-VLM recipe whose ``pretrained`` folder is missing from its
``hf_config``, the released sizes, with a size-only placeholder tokenizer,
and a ``_toy`` one from the toy architecture of make_toy_vlm.py), and
batches are random images at the recipe's ``img_scale`` with random prompts
and targets (``--prompt-len``, ``--target-len``).
"""

import argparse
import json
import resource
import statistics
import tempfile

import torch
from mmengine.registry import init_default_scope

from vltoolkit.engine.runner import prepare_config
from vltoolkit.utils.cli import CfgOptionsAction


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('--steps', type=int, default=20, help='measured steps')
    parser.add_argument('--warmup', type=int, default=3, help='unmeasured first steps')
    parser.add_argument('--batch-size', type=int, help='per-step batch (default: the recipe)')
    parser.add_argument('--amp', action='store_true', help='bf16 autocast (fp16 on old GPUs)')
    parser.add_argument('--grad-checkpointing', action='store_true')
    parser.add_argument(
        '--synthetic', action='store_true', help='random data and random weights: no files needed'
    )
    parser.add_argument('--prompt-len', type=int, default=32)
    parser.add_argument('--target-len', type=int, default=16)
    parser.add_argument('--strategy', help='a FlexibleRunner strategy (ddp, fsdp, ...)')
    parser.add_argument('--launcher', default='none', choices=['none', 'pytorch'])
    parser.add_argument(
        '--summary',
        metavar='NAME',
        help='also print one line "NAME: step time, samples/s, peak GiB, MFU"',
    )
    parser.add_argument(
        '--vocab-size',
        nargs='+',
        default=[],
        metavar='NAME=N',
        help='--synthetic: vocabulary size of a tokenizer folder that is '
        'not on disk (as count_params.py); for a pretrained-VLM _toy '
        'recipe, of its missing model folder (e.g. florence2=1300)',
    )
    parser.add_argument('--json', help='also write the results to this file')
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction, metavar='KEY=VALUE')
    return parser.parse_args(argv)


def synthetic_loader(cfg, batch_size, num_batches, prompt_len, target_len):
    """Random batches in the shape the recipe's pipeline produces."""
    from torch.utils.data import DataLoader

    from vltoolkit.datasets import vl_collate
    from vltoolkit.structures import VLDataSample
    from vltoolkit.tokenization import build_tokenizer

    scale = cfg.get('img_scale', (384, 384))
    h, w = (scale, scale) if isinstance(scale, int) else (scale[1], scale[0])
    vocab = len(build_tokenizer(cfg.model.tokenizer))
    g = torch.Generator().manual_seed(0)
    items = [
        dict(
            inputs=dict(
                image=torch.randint(0, 256, (3, h, w), generator=g, dtype=torch.uint8),
                input_ids=torch.randint(3, vocab, (prompt_len,), generator=g),
                labels=torch.randint(3, vocab, (target_len,), generator=g),
            ),
            data_samples=VLDataSample(),
        )
        for _ in range(batch_size * num_batches)
    ]
    return DataLoader(items, batch_size=batch_size, shuffle=False, collate_fn=vl_collate)


def synthetic_model_cfg(cfg, vocab_sizes):
    """The recipe's model with no file on disk: a pretrained VLM whose
    ``pretrained`` folder is missing is built from ``config=`` (the
    fragment's ``hf_config``, or the toy architecture for a ``_toy`` recipe,
    whose vocabulary size is ``vocab_sizes[<folder name>]``); any other
    model through ``config_without_files`` (as count_params.py)."""
    from vltoolkit.models.utils.sizing import config_without_files

    init_default_scope(cfg.get('default_scope', 'vltoolkit'))
    scale = cfg.get('img_scale', (96, 96))
    return config_without_files(
        cfg.model.to_dict(),
        vocab_sizes,
        hf_config=cfg.get('hf_config'),
        image_size=scale if isinstance(scale, int) else scale[0],
    )


def prepare_cfg(args, work_dir):
    from vltoolkit.engine.optim import amp_optim_wrapper_cfg

    cfg = prepare_config(args.config, args.cfg_options)
    cfg.work_dir = work_dir
    total = args.warmup + args.steps
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=total, val_interval=total + 1)
    for key in (
        'val_dataloader',
        'val_cfg',
        'val_evaluator',
        'test_dataloader',
        'test_cfg',
        'test_evaluator',
        'load_from',
    ):
        cfg.pop(key, None)
    cfg.resume = False
    cfg.param_scheduler = []  # recipes' schedules count epochs; constant lr here
    cfg.default_hooks.checkpoint = None
    cfg.pop('custom_hooks', None)
    if args.batch_size:
        cfg.train_dataloader.batch_size = args.batch_size
    cfg.train_dataloader.sampler = dict(type='InfiniteSampler', shuffle=True)
    if args.grad_checkpointing:
        cfg.model.grad_checkpointing = True
    if args.amp:
        cfg.optim_wrapper = amp_optim_wrapper_cfg(cfg.optim_wrapper)
    if args.synthetic:
        sizes = {k: int(v) for k, v in (i.split('=', 1) for i in args.vocab_size)}
        cfg.model = synthetic_model_cfg(cfg, sizes)
    if args.strategy:
        from vltoolkit.engine.runner.strategy import apply_strategy

        apply_strategy(cfg, args.strategy)
    return cfg


def main(argv=None):
    args = parse_args(argv)
    from vltoolkit.engine import build_runner
    from vltoolkit.engine.benchmark import (
        StepClockEndHook,
        StepClockHook,
        device_peak_flops,
        hand_loop,
        step_flops,
    )
    from vltoolkit.utils.tensor_memory import peak_tensor_memory

    work_dir = tempfile.mkdtemp(prefix='benchmark_train_')
    cfg = prepare_cfg(args, work_dir)
    init_default_scope(cfg.get('default_scope', 'vltoolkit'))
    runner = build_runner(cfg, launcher=args.launcher)
    device = (
        torch.device('cuda', torch.cuda.current_device())
        if torch.cuda.is_available()
        else torch.device('cpu')
    )
    if args.synthetic:
        runner._train_dataloader = synthetic_loader(
            cfg,
            cfg.train_dataloader.batch_size,
            args.warmup + args.steps,
            args.prompt_len,
            args.target_len,
        )
    clock = StepClockHook(device=str(device))
    runner.register_hook(clock)
    runner.register_hook(StepClockEndHook(clock))
    if device.type == 'cuda':
        torch.cuda.reset_peak_memory_stats(device)
    runner.train()
    model, wrapper = runner.model, runner.optim_wrapper
    batches = clock.batches[args.warmup :]
    runner_steps = clock.steps[args.warmup :]
    waits = clock.waits[args.warmup :]

    amp_dtype = getattr(wrapper, 'cast_dtype', None) if args.amp else None
    if args.amp and amp_dtype is None:
        amp_dtype = torch.bfloat16
    step_kw = dict(
        clip_max_norm=(wrapper.clip_grad_kwargs or {}).get('max_norm'), amp_dtype=amp_dtype
    )
    optimizer = wrapper.optimizer
    hand_loop(model, optimizer, batches[:1], device, **step_kw)  # warm the hand path
    hand_cpu = []
    hand_steps = hand_loop(model, optimizer, batches, device, cpu_times=hand_cpu, **step_kw)
    runner_cpu = clock.cpu_steps[args.warmup :]
    inner = clock.train_step_times[args.warmup :]
    flops = step_flops(model, optimizer, batches[0], device, **step_kw)

    if device.type == 'cuda':
        peak = torch.cuda.max_memory_allocated(device)
        peak_what = 'CUDA allocator peak (Runner run)'
    elif args.strategy in ('fsdp', 'deepspeed_zero2', 'deepspeed_zero3'):
        peak, peak_what = None, 'n/a on CPU: MemTracker cannot follow sharded parameters'
    else:
        peak = peak_tensor_memory(
            lambda: hand_loop(model, optimizer, batches[:1], device, **step_kw), model
        )['cpu']
        peak_what = 'peak tensor memory of one step (MemTracker)'
    tokens = [int((b['inputs']['labels'] != -100).sum()) for b in batches]
    samples = [len(b['data_samples']) for b in batches]
    runner_total = sum(runner_steps) + sum(waits)
    result = dict(
        config=args.config,
        device=str(device),
        steps=len(batches),
        batch_size=samples[0],
        amp=str(amp_dtype) if amp_dtype else None,
        grad_checkpointing=bool(args.grad_checkpointing),
        runner_step_s=statistics.median(runner_steps),
        hand_step_s=statistics.median(hand_steps),
        runner_over_hand=statistics.median(runner_steps) / statistics.median(hand_steps),
        runner_over_hand_mean=(sum(runner_steps) / sum(hand_steps)),
        runner_over_hand_cpu=(sum(runner_cpu) / sum(hand_cpu)),
        hooks_and_loop_share=1 - sum(inner) / sum(runner_steps),
        samples_per_s=sum(samples) / runner_total,
        target_tokens_per_s=sum(tokens) / runner_total,
        data_wait_share=sum(waits) / runner_total,
        peak_memory_gib=None if peak is None else peak / 2**30,
        peak_memory_what=peak_what,
        process_max_rss_gib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
        flops_per_step=flops,
        flops_per_s=flops / statistics.median(runner_steps),
        trained_params=sum(p.numel() for p in model.parameters() if p.requires_grad),
        total_params=sum(p.numel() for p in model.parameters()),
    )
    peak_flops = device_peak_flops(device)
    result['mfu'] = result['flops_per_s'] / peak_flops if peak_flops else None
    if runner.rank == 0:
        print_result(result)
        if args.summary:
            mfu = (
                f"{100 * result['mfu']:.1f}%"
                if result['mfu'] is not None
                else f"n/a ({result['flops_per_s']:.2e} FLOP/s)"
            )
            print(
                f"{args.summary}: step {result['runner_step_s']:.3f} s, "
                f"{result['samples_per_s']:.1f} samples/s, "
                f"peak {_gib(result['peak_memory_gib'])}, MFU {mfu}, "
                f"Runner/hand {result['runner_over_hand']:.3f}",
                flush=True,
            )
    if args.json and runner.rank == 0:
        with open(args.json, 'w') as f:
            json.dump(result, f, indent=2)
    from vltoolkit.engine import finish_distributed

    finish_distributed(0)  # torchrun: barrier, tear down gloo / nccl, exit 0
    return result


def _gib(value):
    return 'n/a' if value is None else f'{value:.2f} GiB'


def print_result(r):
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"benchmark_train: {r['config']} on {r['device']}")
    table.add_column('measure')
    table.add_column('value', justify='right')
    rows = [
        ('steps x batch', f"{r['steps']} x {r['batch_size']}"),
        ('Runner step (median, s)', f"{r['runner_step_s']:.4f}"),
        ('hand-written step (median, s)', f"{r['hand_step_s']:.4f}"),
        ('Runner / hand-written (median)', f"{r['runner_over_hand']:.3f}"),
        ('Runner / hand-written (total)', f"{r['runner_over_hand_mean']:.3f}"),
        ('Runner / hand-written (process CPU time)', f"{r['runner_over_hand_cpu']:.3f}"),
        (
            'Runner time outside model.train_step (hooks, loop)',
            f"{100 * r['hooks_and_loop_share']:.1f}%",
        ),
        ('samples / s (Runner, data wait included)', f"{r['samples_per_s']:.2f}"),
        ('target tokens / s', f"{r['target_tokens_per_s']:.1f}"),
        ('data-loader wait share', f"{100 * r['data_wait_share']:.1f}%"),
        (
            f"peak memory GiB ({r['peak_memory_what']})",
            'n/a' if r['peak_memory_gib'] is None else f"{r['peak_memory_gib']:.3f}",
        ),
        ('process max RSS GiB', f"{r['process_max_rss_gib']:.2f}"),
        ('params trained / total', f"{r['trained_params']:,} / {r['total_params']:,}"),
        ('FLOPs per step (FlopCounterMode)', f"{r['flops_per_step']:.3e}"),
        ('FLOP/s (Runner step)', f"{r['flops_per_s']:.3e}"),
        ('MFU', f"{100 * r['mfu']:.1f}%" if r['mfu'] is not None else 'n/a (no known peak)'),
    ]
    for row in rows:
        table.add_row(*row)
    Console(width=110).print(table)


if __name__ == '__main__':
    main()
