import sys
from pathlib import Path

import pytest
from mmengine.config import Config
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import init_default_scope

from vltoolkit.compat.registry_errors import explain_unknown_type
from vltoolkit.registry import LOSSES, METRICS, UnknownTypeError

PLUGINS = Path(__file__).parent / 'data' / 'plugins'


def test_unknown_type_names_registry_and_closest_names():
    with pytest.raises(UnknownTypeError) as err:
        LOSSES.build(dict(type='TokenCrossEntropyLos'))
    msg = str(err.value)
    assert 'vltoolkit::loss registry' in msg
    assert 'TokenCrossEntropyLoss' in msg and 'custom_imports' in msg


def test_unknown_type_through_mmengine_root_is_explained():
    init_default_scope('vltoolkit')
    with pytest.raises(KeyError) as err:
        MMENGINE_MODELS.build(dict(type='VisionSeq2Seqq'))
    better = explain_unknown_type(err.value)
    assert isinstance(better, UnknownTypeError)
    assert 'VisionSeq2Seq' in str(better) and 'model registry' in str(better)


def test_custom_imports_registers_a_user_loss_and_metric(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(PLUGINS))
    cfg_file = tmp_path / 'cfg.py'
    cfg_file.write_text(
        "custom_imports = dict(imports=['my_plugin'], allow_failed_imports=False)\n"
        "loss = dict(type='ScaledTokenLoss', scale=3.0)\n"
        "metric = dict(type='ExactMatch')\n"
    )
    cfg = Config.fromfile(str(cfg_file))  # imports my_plugin
    assert 'my_plugin' in sys.modules
    import torch

    loss = LOSSES.build(cfg.loss)
    logits, ids = torch.randn(4, 6), torch.tensor([1, 2, -100, 5])
    ref = torch.nn.functional.cross_entropy(logits, ids, ignore_index=-100)
    assert torch.allclose(loss(logits, ids), 3 * ref)
    metric = METRICS.build(cfg.metric)
    metric.process(
        None,
        [dict(pred_text='hold ', target_text='hold'), dict(pred_text='eat', target_text='hold')],
    )
    assert metric.compute_metrics(metric.results) == {'exact_match': 50.0}
