"""A NaN / inf loss stops the run, naming the iteration and the loss terms;
non-finite weights never reach a checkpoint (issue 22, part 1)."""

import pytest
import torch

from vltoolkit.compat import safe_torch_load
from vltoolkit.compat.atomic_checkpoint import NonFiniteCheckpointError, save_checkpoint
from vltoolkit.engine.hooks import NonFiniteLossError

from .reliability_toy import build


def _finite(path):
    state = safe_torch_load(str(path), map_location='cpu')['state_dict']
    return all(bool(torch.isfinite(v).all()) for v in state.values())


def test_diverging_lr_stops_at_first_non_finite_loss(tmp_path):
    runner = build(tmp_path, lr=1e6, max_epochs=4)
    with pytest.raises(NonFiniteLossError, match=r'iteration \d+ \(epoch \d, batch \d\): loss'):
        runner.train()
    # every checkpoint written holds finite weights, and the weights in
    # memory never took the non-finite step
    ckpts = sorted(tmp_path.glob('*.pth'))
    assert all(_finite(p) for p in ckpts)
    assert not (tmp_path / 'epoch_4.pth').exists()
    assert bool(torch.isfinite(runner.model.w).all())


def test_names_the_iteration_and_the_term(tmp_path):
    # sample 3 has a NaN loss; batch size 1, no shuffle-independent check:
    # the error names loss_sq and the iteration, which holds sample 3
    runner = build(tmp_path, batch_size=1, nan_inputs=[3], max_epochs=1)
    with pytest.raises(NonFiniteLossError) as err:
        runner.train()
    msg = str(err.value)
    assert 'loss_sq=nan' in msg and 'max_skips' in msg
    assert f'iteration {runner.iter + 1} ' in msg
    assert not list(tmp_path.glob('*.pth'))


def test_max_skips_skips_batches_then_stops(tmp_path):
    # sample 3 comes once per epoch: 2 epochs need 2 skips
    cfg_hook = [dict(type='NonFiniteLossHook', max_skips=2)]
    runner = build(tmp_path / 'a', nan_inputs=[3], custom_hooks=cfg_hook)
    runner.train()  # completes: two batches skipped, weights finite
    assert bool(torch.isfinite(runner.model.w).all())
    assert _finite(tmp_path / 'a' / 'epoch_2.pth')
    cfg_hook = [dict(type='NonFiniteLossHook', max_skips=1)]
    runner = build(tmp_path / 'b', nan_inputs=[3], custom_hooks=cfg_hook)
    with pytest.raises(NonFiniteLossError, match=r'epoch 2'):
        runner.train()


def test_checkpoint_with_non_finite_weights_is_never_written(tmp_path):
    bad = dict(state_dict=dict(w=torch.tensor([1.0, float('inf')])), meta=dict(epoch=3))
    with pytest.raises(NonFiniteCheckpointError, match=r'w\) at epoch 3'):
        save_checkpoint(bad, str(tmp_path / 'best_acc_epoch_3.pth'))
    assert not list(tmp_path.iterdir())


def test_runner_save_refuses_nan_weights_also_as_best(tmp_path):
    runner = build(tmp_path)
    with torch.no_grad():
        runner.model.w.fill_(float('nan'))
    with pytest.raises(NonFiniteCheckpointError):
        runner.save_checkpoint(str(tmp_path), 'best_acc_epoch_1.pth', save_optimizer=False)
    assert not (tmp_path / 'best_acc_epoch_1.pth').exists()
