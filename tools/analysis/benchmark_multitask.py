"""Mixed vs task-grouped batches: one epoch each, same data, same model.

The multi-task HOI study's example by default: 720 samples, 360 of a short-answer task and
360 of a long-answer task. Both runs train the real ``VisionSeq2Seq`` (a
CPU-sized config, random init, a word-level tokenizer trained on the fly)
for one epoch in this process, on data loaders built by
``Runner.build_dataloader`` from config dicts:

* mixed: ``DefaultSampler(shuffle=True)`` with ``--batch-size`` (every batch
  is padded to its longest sample, usually a long one);
* grouped: the same plus ``TaskGroupedBatchSampler`` with
  ``task_batch_size=dict(short=--short-batch-size, long=--long-batch-size)``.

Printed per run: forward passes, padded-token fraction (padding positions
over all positions of the padded batches, for the target tokens and for all
text tokens: prompt + target), padding per real target token, real (not
padding) tokens per second, wall time per epoch (data loading included) and
model time (the ``train_step`` calls only), process CPU time per epoch (all
threads), and the grouped / mixed ratios.
Every mode runs ``--warmup`` untimed epochs, then ``--repeats`` timed ones
(alternating modes); times are medians, plus the best epoch and a
contention-filtered model time: the fastest ``train_step`` of each batch
shape over the timed epochs, summed over an epoch's steps (on a machine
shared with other jobs the medians swing by 2x from run to run). With half short and half long
samples, the mixed target padding fraction is at most
``1 - (short + long) / (2 long)`` (< 50%), reached when every batch holds a
long sample; the script prints that bound.

Example::

    python tools/analysis/benchmark_multitask.py --repeats 3
    python tools/analysis/benchmark_multitask.py --num-short 360 --num-long 360 \\
        --short-len 8 --long-len 64 --batch-size 120 --json bench.json
"""

import argparse
import json
import os
import statistics
import tempfile
import time

import numpy as np
import torch
from mmengine.dataset import BaseDataset
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope

from vltoolkit.registry import DATASETS
from vltoolkit.structures import IGNORE_INDEX

WORDS = [f'w{i}' for i in range(48)]
BOX_CODER = dict(type='PatchIndexBoxCoder', num_patches_per_side=4, token_fmt='<loc_{}>')


@DATASETS.register_module(name='BenchmarkSyntheticTask', force=True)
class SyntheticTask(BaseDataset):
    """``num`` samples of one task: a fixed-length prompt and a target of
    ``target_len`` tokens (``<s>`` and ``</s>`` included), random words."""

    def __init__(self, task, num, target_len, prompt_len, seed=0, len_jitter=0.0, **kwargs):
        if target_len < 3 or prompt_len < 3:
            raise ValueError('target and prompt lengths count <s> and </s>: use >= 3')
        self.task, self.num = task, num
        self.target_len, self.prompt_len, self.seed = target_len, prompt_len, seed
        self.len_jitter = len_jitter
        kwargs.setdefault('serialize_data', False)
        super().__init__(ann_file='', **kwargs)

    def load_data_list(self):
        rng = np.random.default_rng([self.seed, len(self.task), self.target_len])
        prompt = ' '.join([self.task] + ['describe'] * (self.prompt_len - 3))
        spread = int(round(self.len_jitter * self.target_len))
        lengths = self.target_len + rng.integers(-spread, spread + 1, self.num)
        return [
            dict(
                task=self.task,
                prompt=prompt,
                target_text=' '.join(rng.choice(WORDS, max(int(n), 3) - 2)),
            )
            for n in lengths
        ]


class ConstantImage:
    """A grey ``size`` x ``size`` image: no file is read."""

    def __init__(self, size):
        self.size = size

    def __call__(self, results):
        results['img'] = np.full((self.size, self.size, 3), 128, np.uint8)
        results['img_shape'] = results['ori_shape'] = (self.size, self.size)
        return results


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--num-short', type=int, default=360)
    p.add_argument('--num-long', type=int, default=360)
    p.add_argument(
        '--short-len',
        type=int,
        default=8,
        help='target tokens of a short sample, <s> </s> included',
    )
    p.add_argument(
        '--long-len', type=int, default=64, help='target tokens of a long sample, <s> </s> included'
    )
    p.add_argument(
        '--len-jitter',
        type=float,
        default=0.0,
        help='target lengths vary uniformly by +- this fraction (real '
        'data do); grouped batches are then bucketed by length',
    )
    p.add_argument(
        '--prompt-len', type=int, default=8, help='prompt tokens of every sample, <s> </s> included'
    )
    p.add_argument('--batch-size', type=int, default=120, help='mixed batch size')
    p.add_argument('--short-batch-size', type=int, default=360)
    p.add_argument('--long-batch-size', type=int, default=120)
    p.add_argument('--img-size', type=int, default=32, help='image side (patch 16)')
    p.add_argument('--d-model', type=int, default=128)
    p.add_argument('--layers', type=int, default=2, help='encoder and decoder layers')
    p.add_argument(
        '--repeats', type=int, default=3, help='timed epochs per mode (the median is reported)'
    )
    p.add_argument('--warmup', type=int, default=1, help='untimed epochs per mode first')
    p.add_argument('--threads', type=int, default=None, help='torch threads')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--json', default=None, help='also write the results here')
    return p.parse_args(argv)


def build_tokenizer_dir(out_dir, args):
    from vltoolkit.tokenization import train_word_level_tokenizer

    texts = [' '.join(WORDS), 'short long describe']
    train_word_level_tokenizer(texts, out_dir, special_tokens=[f'<loc_{i}>' for i in range(16)])
    return dict(type='VLTokenizer', path=out_dir, box_coder=BOX_CODER)


def model_cfg(tokenizer, args):
    return dict(
        type='VisionSeq2Seq',
        vision_encoder=dict(
            type='TimmVisionEncoder',
            model_name='vit_tiny_patch16_224',
            img_size=args.img_size,
            patch_size=16,
            depth=1,
            embed_dim=64,
            num_heads=2,
        ),
        language_model=dict(
            config=dict(
                model_type='bart',
                d_model=args.d_model,
                encoder_layers=args.layers,
                decoder_layers=args.layers,
                encoder_attention_heads=4,
                decoder_attention_heads=4,
                encoder_ffn_dim=2 * args.d_model,
                decoder_ffn_dim=2 * args.d_model,
                max_position_embeddings=max(
                    128, int(args.long_len * (1 + args.len_jitter)) + args.prompt_len + 8
                ),
                dropout=0.0,
                attention_dropout=0.0,
                activation_dropout=0.0,
            )
        ),
        tokenizer=tokenizer,
        generation_cfg=dict(max_new_tokens=8, num_beams=1),
    )


def dataloader_cfg(tokenizer, args, grouped):
    pipeline = [
        ConstantImage(args.img_size),
        dict(
            type='TokenizeText',
            tokenizer=tokenizer,
            max_target_len=int(args.long_len * (1 + args.len_jitter)) + 8,
        ),
        dict(type='PackVLInputs'),
    ]
    cfg = dict(
        dataset=dict(
            type='MultiTaskDataset',
            datasets=[
                dict(
                    type='BenchmarkSyntheticTask',
                    task='short',
                    num=args.num_short,
                    target_len=args.short_len,
                    prompt_len=args.prompt_len,
                    len_jitter=args.len_jitter,
                    seed=args.seed,
                    pipeline=pipeline,
                ),
                dict(
                    type='BenchmarkSyntheticTask',
                    task='long',
                    num=args.num_long,
                    target_len=args.long_len,
                    prompt_len=args.prompt_len,
                    len_jitter=args.len_jitter,
                    seed=args.seed,
                    pipeline=pipeline,
                ),
            ],
        ),
        sampler=dict(type='DefaultSampler', shuffle=True),
        batch_size=args.batch_size,
        num_workers=0,
        collate_fn=dict(type='vl_collate'),
    )
    if grouped:
        cfg['batch_sampler'] = dict(
            type='TaskGroupedBatchSampler',
            task_batch_size=dict(short=args.short_batch_size, long=args.long_batch_size),
            bucket_by_length=args.len_jitter > 0,
        )
    return cfg


def run_epoch(model, optim_wrapper, loader):
    """One epoch; returns counts and times."""
    stats = dict(
        passes=0, target_real=0, target_total=0, text_real=0, text_total=0, model_s=0.0, steps=[]
    )
    model.train()
    start, cpu_start = time.perf_counter(), time.process_time()
    for batch in loader:
        inputs = batch['inputs']
        labels, mask = inputs['labels'], inputs['attention_mask']
        target_real = int((labels != IGNORE_INDEX).sum())
        stats['passes'] += 1
        stats['target_real'] += target_real
        stats['target_total'] += labels.numel()
        stats['text_real'] += target_real + int(mask.sum())
        stats['text_total'] += labels.numel() + mask.numel()
        t0 = time.perf_counter()
        model.train_step(batch, optim_wrapper)
        step_s = time.perf_counter() - t0
        stats['model_s'] += step_s
        shape = (tuple(inputs['input_ids'].shape), tuple(labels.shape))
        stats['steps'].append((shape, step_s))
    stats['wall_s'] = time.perf_counter() - start
    stats['cpu_s'] = time.process_time() - cpu_start
    return stats


def benchmark(args):
    """Both runs; returns ``{'mixed': {...}, 'grouped': {...}}``."""
    init_default_scope('vltoolkit')
    MMLogger.get_instance('benchmark_multitask', log_level='WARNING')
    threads_before = torch.get_num_threads()
    if args.threads:
        torch.set_num_threads(args.threads)
    try:
        return _benchmark(args)
    finally:
        torch.set_num_threads(threads_before)


def _benchmark(args):
    from mmengine.optim import OptimWrapper
    from mmengine.runner import Runner

    from vltoolkit.registry import MODELS

    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        tokenizer = build_tokenizer_dir(os.path.join(tmp, 'tokenizer'), args)
        loaders = {
            mode: Runner.build_dataloader(
                dataloader_cfg(tokenizer, args, mode == 'grouped'), seed=args.seed
            )
            for mode in ('mixed', 'grouped')
        }
        models = {}
        for mode in loaders:
            torch.manual_seed(args.seed)
            model = MODELS.build(model_cfg(tokenizer, args))
            optim = OptimWrapper(torch.optim.AdamW(model.parameters(), lr=1e-4))
            models[mode] = (model, optim)
        epoch = 0
        for _ in range(args.warmup):
            for mode, loader in loaders.items():
                loader.batch_sampler.sampler.set_epoch(epoch)
                run_epoch(*models[mode], loader)
            epoch += 1
        runs = {mode: [] for mode in loaders}
        for _ in range(args.repeats):
            # alternate the modes so that drifts hit both
            for mode, loader in loaders.items():
                # both batch samplers wrap the DefaultSampler as `.sampler`
                loader.batch_sampler.sampler.set_epoch(epoch)
                runs[mode].append(run_epoch(*models[mode], loader))
            epoch += 1
    for mode, stats in runs.items():
        first = stats[0]
        out = dict(
            passes=first['passes'],
            pad_frac_target=1 - first['target_real'] / first['target_total'],
            pad_frac_text=1 - first['text_real'] / first['text_total'],
            pad_per_real_target=(first['target_total'] - first['target_real'])
            / first['target_real'],
            wall_s=statistics.median(s['wall_s'] for s in stats),
            wall_min_s=min(s['wall_s'] for s in stats),
            cpu_s=statistics.median(s['cpu_s'] for s in stats),
            model_s=statistics.median(s['model_s'] for s in stats),
            wall_all=[round(s['wall_s'], 3) for s in stats],
            cpu_all=[round(s['cpu_s'], 3) for s in stats],
        )
        out['tokens_per_s'] = first['text_real'] / out['wall_s']
        # contention filter: the fastest step of each batch shape over all
        # timed epochs, summed over the steps of an epoch
        best = {}
        for s in stats:
            for shape, step_s in s['steps']:
                best[shape] = min(step_s, best.get(shape, float('inf')))
        out['model_best_s'] = sum(best[shape] for shape, _ in first['steps'])
        out['batch_shapes'] = {f'{k[0]} / {k[1]}': round(v, 4) for k, v in best.items()}
        results[mode] = out
    return results


def print_table(results, args):
    from rich.console import Console
    from rich.table import Table

    mixed, grouped = results['mixed'], results['grouped']
    table = Table(
        title=(
            f'one epoch: {args.num_short} short ({args.short_len} tokens) + '
            f'{args.num_long} long ({args.long_len} tokens), '
            f'median of {args.repeats}'
        )
    )
    table.add_column('metric')
    table.add_column(f'mixed (B={args.batch_size})', justify='right')
    table.add_column(
        f'grouped (short {args.short_batch_size}, long {args.long_batch_size})', justify='right'
    )
    table.add_column('grouped / mixed', justify='right')
    rows = [
        ('forward passes', 'passes', '{:d}'),
        ('padded-token fraction (target)', 'pad_frac_target', '{:.1%}'),
        ('padded-token fraction (prompt + target)', 'pad_frac_text', '{:.1%}'),
        ('pad tokens per real target token', 'pad_per_real_target', '{:.2f}'),
        ('real tokens / s', 'tokens_per_s', '{:,.0f}'),
        ('wall time / epoch, median (s)', 'wall_s', '{:.2f}'),
        ('wall time / epoch, best (s)', 'wall_min_s', '{:.2f}'),
        ('model time / epoch, median (s)', 'model_s', '{:.2f}'),
        ('model time / epoch, best step per shape (s)', 'model_best_s', '{:.2f}'),
        ('process CPU time / epoch, median (s)', 'cpu_s', '{:.2f}'),
    ]
    for name, key, fmt in rows:
        ratio = grouped[key] / mixed[key] if mixed[key] else float('nan')
        table.add_row(name, fmt.format(mixed[key]), fmt.format(grouped[key]), f'{ratio:.2f}')
    console = Console(width=max(110, Console().width))
    console.print(table)
    n_s, n_l = args.num_short, args.num_long
    bound = 1 - (n_s * args.short_len + n_l * args.long_len) / ((n_s + n_l) * args.long_len)
    if not args.len_jitter:
        console.print(
            f'mixed target padding if every batch were padded to the long '
            f'length: {bound:.1%} (the most any mixing can pad this data)'
        )


def main(argv=None):
    args = parse_args(argv)
    load_before = os.getloadavg()[0]
    results = benchmark(args)
    load_after = os.getloadavg()[0]
    print_table(results, args)
    threads = args.threads or torch.get_num_threads()
    print(
        f'torch threads: {threads}, CPUs: {os.cpu_count()}, '
        f'1-min load average before / after: {load_before:.1f} / {load_after:.1f}'
    )
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(
                dict(
                    args=vars(args),
                    results=results,
                    torch_threads=threads,
                    cpus=os.cpu_count(),
                    load_avg=[load_before, load_after],
                ),
                f,
                indent=2,
            )
    return results


if __name__ == '__main__':
    main()
