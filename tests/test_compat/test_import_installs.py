"""``import vltoolkit`` alone makes mmengine's ``load_checkpoint`` safe.

A user's own script (no tools, no Runner) loads a checkpoint holding what our
Runner writes besides the weights: a message hub with ``HistoryBuffer``
scalars and numpy values, numpy metrics in the meta. Without vltoolkit,
torch >= 2.6 refuses such a file (the control run), with it the weights load
through the allowlist, never through ``weights_only=False``.
"""

import os
import textwrap

import numpy as np
import torch
import torch.nn as nn
from mmengine.logging import MessageHub

from tests.conftest import run_python_json

SCRIPT = """
import json, sys
import torch.nn as nn
{import_line}
from mmengine.runner import load_checkpoint
model = nn.Linear(3, 2)
try:
    ckpt = load_checkpoint(model, sys.argv[1], map_location='cpu')
    print(json.dumps(dict(ok=True, weight=model.weight.tolist(),
                          epoch=ckpt['meta']['epoch'])))
except Exception as exc:
    print(json.dumps(dict(ok=False, error=type(exc).__name__ + ': ' + str(exc))))
"""


def _save_runner_like_checkpoint(path):
    model = nn.Linear(3, 2)
    hub = MessageHub.get_instance('vltoolkit_import_installs')
    hub.update_scalar('train/loss', 0.5)
    hub.update_scalar('train/loss', 0.25)
    hub.update_info('eta', np.float64(12.0))
    meta = dict(
        epoch=3,
        iter=30,
        seed=0,
        experiment_name='x',
        mmengine_version='0.10.7',
        hook_msgs=dict(best_score=np.float64(0.7)),
        dataset_meta=dict(classes=('hold', 'look')),
    )
    torch.save(dict(meta=meta, state_dict=model.state_dict(), message_hub=hub.state_dict()), path)
    return model.weight.tolist()


def _run(import_line, ckpt):
    return run_python_json(textwrap.dedent(SCRIPT.format(import_line=import_line)), str(ckpt))


def test_import_vltoolkit_makes_load_checkpoint_safe(tmp_path):
    ckpt = tmp_path / 'epoch_3.pth'
    weight = _save_runner_like_checkpoint(ckpt)

    plain = _run('', ckpt)  # the trap: mmengine alone on torch >= 2.6
    assert plain['ok'] is False and 'Weights only load failed' in plain['error']

    # vltoolkit imported before mmengine.runner (the post-import hook) and after it
    for import_line in ('import vltoolkit', 'import mmengine.runner; import vltoolkit'):
        out = _run(import_line, ckpt)
        assert out['ok'] is True, (import_line, out)
        assert out['weight'] == weight and out['epoch'] == 3


def test_import_vltoolkit_still_refuses_code_in_a_checkpoint(tmp_path):
    ckpt = tmp_path / 'evil.pth'
    torch.save(dict(state_dict={}, meta=dict(hook=os.system)), ckpt)
    out = _run('import vltoolkit', ckpt)
    assert out['ok'] is False
    assert out['error'].startswith('CheckpointError') and 'system' in out['error']
    assert 'do NOT allowlist it' in out['error']
