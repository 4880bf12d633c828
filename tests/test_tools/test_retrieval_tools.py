"""End to end: MCN two-stage training, LoRA on top, merge_lora, testing the merge."""

import re

import pytest
import torch

from tests.conftest import ROOT

from .conftest import run_tool

pytestmark = pytest.mark.slow

CFG = str(ROOT / 'configs' / 'retrieval' / 'mcn_av_t_toy.py')
LORA_CFG = str(ROOT / 'configs' / 'retrieval' / 'mcn_lora_pairs_toy.py')
SMALL = [
    'train_dataloader.batch_size=8',
    'val_dataloader.batch_size=20',
    'default_hooks.logger.interval=1',
]


@pytest.fixture(scope='module')
def mcn_workdir(tmp_path_factory):
    from vltoolkit.datasets.toy import make_toy_mcn

    cwd = tmp_path_factory.mktemp('mcn')
    make_toy_mcn(
        str(cwd / 'data' / 'toy_mcn'), num_train_videos=6, segments_per_video=4, num_eval=16, seed=3
    )
    return cwd


def _metric(text, key):
    found = re.findall(re.escape(key) + r':\s+([0-9.]+)', text)
    assert found, text[-3000:]
    return float(found[-1])


def test_two_stage_train_test_then_lora_and_merge(mcn_workdir):
    # AV_T in 2 epochs: text joins at epoch 1
    opts = SMALL + [
        'train_cfg.max_epochs=2',
        'train_cfg.val_interval=2',
        'custom_hooks.0.stages.1.begin=1',
        'default_hooks.checkpoint.interval=2',
    ]
    train = run_tool(
        ['train.py', CFG, '--work-dir', 'work_dirs/avt', '--cfg-options', *opts], mcn_workdir
    )
    log = train.stdout + train.stderr
    assert "modality stage 0 (AV) at epoch 0: modalities ['video', 'audio']" in log
    assert 'modality stage 1 (VAT) at epoch 1' in log and '(clustering reset)' in log
    assert 'loss_mms_vt' in log
    ckpt = mcn_workdir / 'work_dirs' / 'avt' / 'epoch_2.pth'
    state = torch.load(ckpt, map_location='cpu', weights_only=False)['state_dict']
    assert state['kmeans.centroids'].shape == (12, 64)
    assert _metric(log, 'retrieval/youcook2/R@10') >= 0
    assert _metric(log, 'retrieval/msrvtt/num_queries') == 16

    # LoRA per pair on top of that checkpoint, 2 stages of 1 epoch
    lora_opts = SMALL + [
        f'load_from={ckpt}',
        'train_cfg.max_epochs=2',
        'train_cfg.val_interval=2',
        'default_hooks.checkpoint.interval=2',
        'custom_hooks.0.stages.1.begin=1',
    ]
    lora = run_tool(
        ['train.py', LORA_CFG, '--work-dir', 'work_dirs/lora', '--cfg-options', *lora_opts],
        mcn_workdir,
    )
    log = lora.stdout + lora.stderr
    assert "adapters ['vt']" in log and "adapters ['va']" in log
    lora_ckpt = mcn_workdir / 'work_dirs' / 'lora' / 'epoch_2.pth'
    lora_state = torch.load(lora_ckpt, map_location='cpu', weights_only=False)['state_dict']
    # the frozen base is the AV_T checkpoint's, the adapters learnt
    assert torch.equal(
        lora_state['encoders.text.gu.fc.base_layer.weight'], state['encoders.text.gu.fc.weight']
    )
    assert lora_state['encoders.text.gu.fc.lora_B.vt.weight'].abs().sum() > 0

    run_tool(
        [
            'model_converters/merge_lora.py',
            LORA_CFG,
            str(lora_ckpt),
            'merged.pth',
            '--out-config',
            'merged_cfg.py',
        ],
        mcn_workdir,
    )
    merged = run_tool(
        [
            'test.py',
            str(mcn_workdir / 'merged_cfg.py'),
            'merged.pth',
            '--work-dir',
            'work_dirs/merged_test',
            '--cfg-options',
            *SMALL,
        ],
        mcn_workdir,
    )
    for key in ('retrieval/youcook2/R@1', 'retrieval/youcook2/R@10', 'retrieval/msrvtt/MedR'):
        assert _metric(merged.stdout, key) == pytest.approx(_metric(log, key), abs=1e-3), key
