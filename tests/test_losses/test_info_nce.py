"""InfoNCELoss: direct computation, both similarities, errors, 2 CPU ranks."""

import math
import os
import socket
import sys

import pytest
import torch
import torch.multiprocessing as mp

from vltoolkit.losses import InfoNCELoss
from vltoolkit.registry import LOSSES
from vltoolkit.utils.distributed import gather_batch


def direct_infonce(img, txt, scale, cosine):
    """Row by row, as the formula reads: -log softmax over the other side."""
    if cosine:
        img = img / img.norm(dim=1, keepdim=True)
        txt = txt / txt.norm(dim=1, keepdim=True)
    B = img.shape[0]
    i2t = t2i = 0.0
    for i in range(B):
        sims = torch.stack([scale * img[i].dot(txt[j]) for j in range(B)])
        i2t = i2t - (sims[i] - torch.logsumexp(sims, 0))
        sims = torch.stack([scale * txt[i].dot(img[j]) for j in range(B)])
        t2i = t2i - (sims[i] - torch.logsumexp(sims, 0))
    return 0.5 * (i2t + t2i) / B


def test_conventions_test_vector():
    # two orthonormal pairs with s = 1 give log(1 + e^-1)
    loss = InfoNCELoss(temperature=1.0, learnable_scale=False)
    feats = torch.eye(2, dtype=torch.float64)
    assert loss(feats, feats).item() == pytest.approx(0.3132616875, abs=1e-10)


@pytest.mark.parametrize('similarity', ['cosine', 'dot'])
def test_matches_direct_computation_and_gradients(similarity):
    torch.manual_seed(0)
    img = torch.randn(6, 5, dtype=torch.float64, requires_grad=True)
    txt = torch.randn(6, 5, dtype=torch.float64, requires_grad=True)
    loss_fn = LOSSES.build(
        dict(type='InfoNCELoss', similarity=similarity, temperature=0.5)
    ).double()
    loss = loss_fn(img, txt)
    ref = direct_infonce(img, txt, loss_fn.scale.detach(), similarity == 'cosine')
    assert loss.item() == pytest.approx(ref.item(), abs=1e-12)
    g = torch.autograd.grad(loss, [img, txt, loss_fn.log_scale])
    g_ref = torch.autograd.grad(ref, [img, txt])
    assert torch.allclose(g[0], g_ref[0], atol=1e-12)
    assert torch.allclose(g[1], g_ref[1], atol=1e-12)
    assert g[2].abs() > 0  # the scale learns


def test_cosine_ignores_norms_dot_does_not():
    torch.manual_seed(1)
    img, txt = torch.randn(4, 8), torch.randn(4, 8)
    cos, dot = InfoNCELoss('cosine'), InfoNCELoss('dot', temperature=1.0)
    assert cos(3 * img, txt).item() == pytest.approx(cos(img, txt).item(), abs=1e-5)
    assert dot(3 * img, txt).item() != pytest.approx(dot(img, txt).item(), abs=1e-3)


def test_scale_above_the_clamp_still_learns():
    """open_clip: no clamp in the forward pass, so the gradient of log_scale
    is s * dL/ds also above max_scale (a forward clamp makes it exactly 0)."""
    torch.manual_seed(2)
    img = torch.randn(5, 4, dtype=torch.float64)
    txt = torch.randn(5, 4, dtype=torch.float64)
    loss_fn = InfoNCELoss(max_scale=100.0).double()
    with torch.no_grad():
        loss_fn.log_scale.fill_(math.log(150.0))
    assert loss_fn.scale.item() == pytest.approx(150.0)
    (grad,) = torch.autograd.grad(loss_fn(img, txt), [loss_fn.log_scale])
    assert grad.abs() > 1e-6
    # the same gradient as the direct formula at s = exp(log_scale) = 150
    log_s = torch.tensor(math.log(150.0), dtype=torch.float64, requires_grad=True)
    (ref,) = torch.autograd.grad(direct_infonce(img, txt, log_s.exp(), True), [log_s])
    assert grad.item() == pytest.approx(ref.item(), rel=1e-10)


def test_clamp_scale_is_in_place_and_only_from_above():
    loss = InfoNCELoss(max_scale=100.0)
    param = loss.log_scale
    with torch.no_grad():
        param.fill_(math.log(250.0))
    loss.clamp_scale_()
    assert loss.log_scale is param and param.requires_grad
    assert loss.scale.item() == pytest.approx(100.0)
    with torch.no_grad():
        param.fill_(math.log(3.0))
    loss.clamp_scale_()
    assert loss.scale.item() == pytest.approx(3.0)  # no lower bound
    with pytest.raises(ValueError, match='max_scale'):
        InfoNCELoss(max_scale=0)


def test_scale_is_clamped_and_can_be_fixed():
    # an initial scale above max_scale starts at max_scale
    loss = InfoNCELoss(temperature=1e-3)
    assert loss.scale.item() == pytest.approx(100.0)
    fixed = InfoNCELoss(learnable_scale=False)
    assert not any(p.requires_grad for p in fixed.parameters())
    assert fixed.scale.item() == pytest.approx(1 / 0.07, rel=1e-6)


def test_shape_errors_name_both_shapes():
    loss = InfoNCELoss()
    with pytest.raises(ValueError, match=r'image_feats \(4, 8\).*text_feats \(4, 6\)'):
        loss(torch.randn(4, 8), torch.randn(4, 6))
    with pytest.raises(ValueError, match=r'\(3, 8\).*\(4, 8\)'):
        loss(torch.randn(3, 8), torch.randn(4, 8))
    with pytest.raises(ValueError, match='similarity'):
        InfoNCELoss(similarity='euclid')


def test_gather_without_process_group_is_identity():
    x = torch.randn(3, 2)
    assert gather_batch(x) is x


# ------------------------------------------------------------ 2 CPU ranks
def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


CASES = (('cosine', (3, 3)), ('dot', (4, 2)))  # (similarity, batch per rank)


def _rank_worker(rank, world, port, cases, out_dir):
    import torch.distributed as dist

    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    torch.set_num_threads(1)
    dist.init_process_group('gloo', rank=rank, world_size=world)
    try:
        for k, (similarity, sizes, img, txt) in enumerate(cases):
            start = sum(sizes[:rank])
            mine = slice(start, start + sizes[rank])
            local_img = img[mine].clone().requires_grad_(True)
            local_txt = txt[mine].clone().requires_grad_(True)
            loss_fn = InfoNCELoss(similarity, temperature=0.3).double()
            loss = loss_fn(local_img, local_txt)
            loss.backward()
            torch.save(
                (loss.detach(), local_img.grad, local_txt.grad, loss_fn.log_scale.grad),
                f'{out_dir}/{rank}_{k}.pt',
            )
        dist.barrier()
    finally:
        dist.destroy_process_group()
    # skip the interpreter teardown: gloo's threads can abort there after all
    # work is done (the same reason as vltoolkit.engine.finish_distributed)
    sys.stdout.flush()
    os._exit(0)


def test_two_cpu_ranks_equal_single_process_on_concatenated_batch(tmp_path):
    """gloo, 2 spawned ranks, equal and unequal per-rank batches."""
    torch.manual_seed(2)
    cases = []
    for similarity, sizes in CASES:
        n = sum(sizes)
        cases.append(
            (
                similarity,
                sizes,
                torch.randn(n, 5, dtype=torch.float64),
                torch.randn(n, 5, dtype=torch.float64),
            )
        )
    mp.start_processes(
        _rank_worker,
        args=(2, _free_port(), cases, str(tmp_path)),
        nprocs=2,
        join=True,
        start_method='spawn',
    )
    world = 2
    for k, (similarity, sizes, img, txt) in enumerate(cases):
        single_img = img.clone().requires_grad_(True)
        single_txt = txt.clone().requires_grad_(True)
        single_fn = InfoNCELoss(similarity, temperature=0.3).double()
        single = single_fn(single_img, single_txt)
        single.backward()
        for rank in range(world):
            loss, g_img, g_txt, g_scale = torch.load(tmp_path / f'{rank}_{k}.pt')
            # every rank computes the loss of the global batch
            assert loss.item() == pytest.approx(single.item(), abs=1e-12), similarity
            # DDP averages gradients over ranks: grad / world == single process
            start = sum(sizes[:rank])
            mine = slice(start, start + sizes[rank])
            assert torch.allclose(g_img / world, single_img.grad[mine], atol=1e-12)
            assert torch.allclose(g_txt / world, single_txt.grad[mine], atol=1e-12)
            assert g_scale.item() == pytest.approx(single_fn.log_scale.grad.item(), abs=1e-12)
