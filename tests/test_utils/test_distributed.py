"""gather_batch on 2 gloo CPU ranks with uneven per-rank batches."""

import os
import socket
import sys

import torch
import torch.multiprocessing as mp

from vltoolkit.utils.distributed import gather_batch

SIZES = (3, 1)  # rows per rank


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _worker(rank, world, port, full, weight, out_dir):
    import torch.distributed as dist

    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    torch.set_num_threads(1)
    dist.init_process_group('gloo', rank=rank, world_size=world)
    try:
        start = sum(SIZES[:rank])
        mine = full[start : start + SIZES[rank]].clone().requires_grad_(True)
        gathered, where = gather_batch(mine, return_slice=True)
        (gathered * weight).sum().backward()
        plain = gather_batch(mine, with_grad=False)
        torch.save(
            dict(
                gathered=gathered.detach(),
                where=(where.start, where.stop),
                grad=mine.grad,
                plain=plain,
                plain_grad=plain.requires_grad,
            ),
            f'{out_dir}/{rank}.pt',
        )
        dist.barrier()
    finally:
        dist.destroy_process_group()
    sys.stdout.flush()
    os._exit(0)  # gloo can abort at interpreter exit (compat/gloo_exit.py)


def test_uneven_batches_gather_in_rank_order_with_summed_gradients(tmp_path):
    torch.manual_seed(0)
    full = torch.randn(sum(SIZES), 2, dtype=torch.float64)
    weight = torch.randn(sum(SIZES), 2, dtype=torch.float64)
    mp.start_processes(
        _worker,
        args=(2, _free_port(), full, weight, str(tmp_path)),
        nprocs=2,
        join=True,
        start_method='spawn',
    )
    for rank in range(2):
        out = torch.load(tmp_path / f'{rank}.pt')
        start = sum(SIZES[:rank])
        assert torch.equal(out['gathered'], full) and torch.equal(out['plain'], full)
        assert out['where'] == (start, start + SIZES[rank])
        # both ranks backpropagate sum(gathered * weight): each rank's rows get
        # the sum of the two ranks' gradients, 2 * weight
        assert torch.equal(out['grad'], 2 * weight[start : start + SIZES[rank]])
        assert out['plain_grad'] is False


def test_single_process_is_identity():
    x = torch.randn(3, 2)
    out, where = gather_batch(x, return_slice=True)
    assert out is x and where == slice(0, 3)
