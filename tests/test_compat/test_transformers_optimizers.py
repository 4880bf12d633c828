"""mmengine's optimizer builder no longer imports transformers' optimizer
module (its Trainer utilities, modeling stack and peft) in every process;
``type='Adafactor'`` still builds transformers' class (the control run,
without vltoolkit, shows mmengine importing it)."""

from tests.conftest import run_python_json

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
    return run_python_json(SCRIPT.format(import_line=import_line))


def test_control_mmengine_alone_imports_transformers_optimization():
    out = _run('')
    assert out['transformers.optimization'] is True
    assert out['same'] is True


def test_vltoolkit_defers_it_and_adafactor_still_builds():
    out = _run('import vltoolkit')
    assert out['transformers.optimization'] is False
    assert out['peft'] is False
    assert out == dict(out, cls='Adafactor', same=True, lr=0.1)
