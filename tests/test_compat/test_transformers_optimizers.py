"""mmengine's optimizer builder no longer imports transformers' optimizer
module (its Trainer utilities, modeling stack and peft) in every process;
``type='Adafactor'`` still builds transformers' class (the control run,
without vltoolkit, shows mmengine importing it)."""

import json
import os
import subprocess
import sys

SCRIPT = """
import json, sys
{import_line}
import mmengine.runner  # what every tool imports
loaded = {{m: m in sys.modules for m in ('transformers.optimization', 'peft')}}
import torch
from mmengine.registry import OPTIMIZERS
opt = OPTIMIZERS.build(dict(type='Adafactor', params=[torch.nn.Parameter(torch.ones(3))],
                            lr=0.1, relative_step=False, scale_parameter=False))
from transformers import Adafactor
print(json.dumps(dict(loaded, cls=type(opt).__qualname__, same=type(opt) is Adafactor,
                      lr=opt.param_groups[0]['lr'])))
"""


def _run(import_line):
    env = dict(os.environ, OMP_NUM_THREADS='1')
    proc = subprocess.run(
        [sys.executable, '-c', SCRIPT.format(import_line=import_line)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_control_mmengine_alone_imports_transformers_optimization():
    out = _run('')
    assert out['transformers.optimization'] is True
    assert out['same'] is True


def test_vltoolkit_defers_it_and_adafactor_still_builds():
    out = _run('import vltoolkit')
    assert out['transformers.optimization'] is False
    assert out['peft'] is False
    assert out == dict(out, cls='Adafactor', same=True, lr=0.1)
