"""Peak memory and time of one forward + backward of the token loss step,
materialised (full logits) vs chunked (``loss_chunk_size``), at large
vocabularies.

The loss step starts from the decoder's hidden states ``[batch * tokens,
hidden]`` and the LM head ``[V, hidden]`` (both requiring grad) and target
ids, and ends when the gradients of both exist:

* ``materialised``: ``logits = hidden @ W.T``, then the loss module on the
  logits (soft targets: the label encoder's dense ``[positions, V]`` rows),
  what the models do with ``loss_chunk_size=None``;
* ``chunked``: :func:`~vltoolkit.losses.chunked_linear.chunked_linear_token_loss`
  (soft targets: the encoder's sparse form, per chunk);
* ``checkpoint`` (``--variants``): the materialised loss of each chunk under
  ``torch.utils.checkpoint``, for comparison;
* ``liger`` / ``cce`` (``--baselines``, CUDA only, one-hot CE only):
  Liger-Kernel's fused linear cross-entropy and Apple's cut-cross-entropy.

Each variant runs in its own process. Memory is the peak of the step above
what the process held once the inputs existed: on the CPU the peak resident
set (``ru_maxrss``) minus its value before the step, on a GPU
``torch.cuda.max_memory_allocated`` minus the memory allocated before the
step. Time is the median wall time of ``--repeats`` steps (the first step
counts). The last lines are ``memory ratio R`` and ``time ratio T``
(chunked / materialised) of the last vocabulary size (when both ran).

Example::

    python tools/analysis/benchmark_loss_memory.py --vocab 32768 --loss ce
    python tools/analysis/benchmark_loss_memory.py  # V = 151,936 and 257,216, 4 x 1,024 tokens
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

GIB = 1024**3
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--vocab', default='151936,257216', help='comma-separated vocabulary sizes')
    p.add_argument('--tokens', type=int, default=1024, help='target tokens per sample')
    p.add_argument('--batch', type=int, default=4)
    p.add_argument('--hidden', type=int, default=2048)
    p.add_argument('--loss', choices=['ce', 'soft-ce', 'gem'], default='ce')
    p.add_argument('--chunk-size', type=int, default=None, help='default: the toolkit default')
    p.add_argument('--repeats', type=int, default=2)
    p.add_argument('--device', default='cpu')
    p.add_argument('--dtype', choices=['float32', 'bfloat16'], default='float32')
    p.add_argument('--threads', type=int, default=None, help='torch threads (default: torch)')
    p.add_argument(
        '--variants', default='materialised,chunked', help='of materialised,chunked,checkpoint'
    )
    p.add_argument('--baselines', default='', help='liger,cce (CUDA and --loss ce only)')
    p.add_argument(
        '--frozen-head',
        action='store_true',
        help='the LM head needs no gradient (a LoRA recipe: the tied head is frozen)',
    )
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--child', default=None, help=argparse.SUPPRESS)
    p.add_argument('--child-vocab', type=int, default=None, help=argparse.SUPPRESS)
    return p.parse_args(argv)


# ------------------------------------------------------------------ child
def _label_encoder(vocab_size):
    """Distance-inverse labels over 1024 location tokens at the top of the
    vocabulary (PaliGemma's layout), window 4."""
    from types import SimpleNamespace

    import torch

    from vltoolkit.label_encoders import DistanceLabelEncoder
    from vltoolkit.tokenization import PaliGemmaBoxCoder

    coder = PaliGemmaBoxCoder()
    first = vocab_size - coder.num_locations
    tok = SimpleNamespace(
        box_coder=coder,
        location_token_ids=torch.arange(first, vocab_size),
        encode=None,
        batch_decode=None,
    )
    return DistanceLabelEncoder(tok)


def _inputs(args, vocab_size):
    import torch

    g = torch.Generator().manual_seed(args.seed)
    n, d = args.batch * args.tokens, args.hidden
    dtype = getattr(torch, args.dtype)
    hidden = (torch.randn(n, d, generator=g) / d**0.5).to(args.device, dtype)
    weight = torch.randn(vocab_size, d, generator=g).to(args.device, dtype)
    ids = torch.randint(0, vocab_size - 1024, (n,), generator=g)
    loc = torch.rand(n, generator=g) < 0.5  # half the targets are location tokens
    ids = torch.where(loc, torch.randint(vocab_size - 1024, vocab_size, (n,), generator=g), ids)
    return hidden.requires_grad_(), weight.requires_grad_(not args.frozen_head), ids.to(args.device)


def _step(args, variant, hidden, weight, ids, loss, encoder, chunk_size):
    import torch.nn.functional as F

    from vltoolkit.losses.chunked_linear import chunked_linear_token_loss

    vocab_size = weight.shape[0]
    if variant == 'materialised':
        logits = F.linear(hidden, weight)
        target = ids if encoder is None else encoder(ids, vocab_size)
        out = loss(logits, target)
    elif variant == 'chunked':
        encode = None if encoder is None else (lambda i: encoder.sparse(i, vocab_size))
        out = chunked_linear_token_loss(
            loss, hidden, weight, ids, encode=encode, chunk_size=chunk_size
        )
    elif variant == 'checkpoint':
        from torch.utils.checkpoint import checkpoint

        def chunk_loss(h, i):
            target = i if encoder is None else encoder.sparse(i, vocab_size)
            return loss(F.linear(h, weight), target, avg_factor=ids.numel())

        out = sum(
            checkpoint(
                chunk_loss, hidden[s : s + chunk_size], ids[s : s + chunk_size], use_reentrant=False
            )
            for s in range(0, ids.numel(), chunk_size)
        )
    elif variant == 'liger':
        from liger_kernel.transformers.fused_linear_cross_entropy import (
            LigerFusedLinearCrossEntropyLoss,
        )

        out = LigerFusedLinearCrossEntropyLoss()(weight, hidden, ids)
    elif variant == 'cce':
        from cut_cross_entropy import linear_cross_entropy

        out = linear_cross_entropy(hidden, weight, ids)
    else:
        raise ValueError(f'unknown variant {variant!r}')
    out.backward()
    return float(out.detach())


def _rss_peak_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def run_child(args):
    import torch

    from vltoolkit.losses import GEMLoss, TokenCrossEntropyLoss
    from vltoolkit.losses.chunked_linear import DEFAULT_CHUNK_SIZE

    if args.threads:
        torch.set_num_threads(args.threads)
    vocab_size = args.child_vocab
    chunk_size = args.chunk_size or DEFAULT_CHUNK_SIZE
    loss = GEMLoss() if args.loss == 'gem' else TokenCrossEntropyLoss()
    encoder = _label_encoder(vocab_size) if args.loss in ('soft-ce', 'gem') else None
    hidden, weight, ids = _inputs(args, vocab_size)
    cuda = args.device.startswith('cuda')
    if cuda:
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        before = torch.cuda.memory_allocated()
    else:
        before = _rss_peak_bytes()
    times, value = [], None
    for _ in range(args.repeats):
        hidden.grad = weight.grad = None
        start = time.perf_counter()
        value = _step(args, args.child, hidden, weight, ids, loss, encoder, chunk_size)
        if cuda:
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    peak = (torch.cuda.max_memory_allocated() if cuda else _rss_peak_bytes()) - before
    print(json.dumps(dict(peak=peak, times=times, loss=value)))


# ----------------------------------------------------------------- parent
def run_variant(args, variant, vocab_size):
    cmd = [sys.executable, os.path.abspath(__file__)]
    for key, value in vars(args).items():
        flag = f'--{key.replace("_", "-")}'
        if isinstance(value, bool):
            cmd += [flag] if value else []
        elif value not in (None, '') and not key.startswith('child'):
            cmd += [flag, str(value)]
    cmd += ['--child', variant, '--child-vocab', str(vocab_size)]
    # the child imports this checkout's vltoolkit
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([ROOT, os.environ.get('PYTHONPATH', '')]))
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise SystemExit(f'{variant} at V={vocab_size} failed:\n{proc.stderr[-3000:]}')
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None):
    args = parse_args(argv)
    if args.child:
        return run_child(args)
    variants = [v for v in args.variants.split(',') if v]
    for name in [b for b in args.baselines.split(',') if b]:
        if not args.device.startswith('cuda'):
            print(f'baseline {name}: skipped, it needs a CUDA device (--device {args.device})')
        elif args.loss != 'ce':
            print(f'baseline {name}: skipped, it computes one-hot CE only (--loss {args.loss})')
        else:
            variants.append(name)
    unknown = set(variants) - {'materialised', 'chunked', 'checkpoint', 'liger', 'cce'}
    if unknown or not variants:
        raise SystemExit(
            f'--variants: unknown {sorted(unknown)}; use materialised,chunked,checkpoint'
        )
    print(
        f'loss {args.loss}, {args.batch} x {args.tokens} tokens, hidden {args.hidden}, '
        f'{args.dtype} on {args.device}, chunk {args.chunk_size or "default"}, '
        f'{args.repeats} repeats{", frozen head" if args.frozen_head else ""}; '
        'memory = peak of the step above the inputs'
    )
    for vocab_size in [int(v) for v in args.vocab.split(',')]:
        results = {v: run_variant(args, v, vocab_size) for v in variants}
        print(f'V = {vocab_size:,}')
        for name, r in results.items():
            times = ' '.join(f'{t:.2f}' for t in r['times'])
            print(
                f'  {name:13s} peak {r["peak"] / GIB:7.3f} GiB  time median '
                f'{statistics.median(r["times"]):7.2f} s  ({times})  loss {r["loss"]:.6f}'
            )
        if 'materialised' not in results or 'chunked' not in results:
            continue  # the ratios need both
        mat, chk = results['materialised'], results['chunked']
        # nan: the step stayed inside memory the process already held (tiny sizes)
        print(f'memory ratio {chk["peak"] / mat["peak"] if mat["peak"] > 0 else float("nan"):.3f}')
        print(f'time ratio {statistics.median(chk["times"]) / statistics.median(mat["times"]):.3f}')


if __name__ == '__main__':
    main()
