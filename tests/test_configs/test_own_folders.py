"""The real HOI recipe on one's own data and pretrained folders, moved with
three ``--cfg-options`` (data_root, pretrained_root, work_dir); and two
recipes of the same name in two task folders never share a work dir."""

import json
import shutil

import pytest

from tests.conftest import ROOT
from tests.test_tools.conftest import run_tool

from .tiny_pretrained import save_tiny_pretrained

pytestmark = pytest.mark.slow


def _vcoco_layout(tmp_path):
    """The toy HOI set, renamed into the V-COCO layout of hoi_vcoco.py."""
    from vltoolkit.datasets.toy import make_toy_hoi

    src, dst = tmp_path / 'toy', tmp_path / 'my_vcoco'
    make_toy_hoi(str(src), num_train=6, num_test=3, img_size=96, seed=0)
    (dst / 'annotations').mkdir(parents=True)
    shutil.copy(src / 'annotations' / 'train.json', dst / 'annotations' / 'trainval_vcoco.json')
    shutil.copy(src / 'annotations' / 'test.json', dst / 'annotations' / 'test_vcoco.json')
    shutil.copytree(src / 'images' / 'train', dst / 'images' / 'train2014')
    shutil.copytree(src / 'images' / 'test', dst / 'images' / 'val2014')
    return dst


def test_real_hoi_recipe_on_own_folders_with_three_options(tmp_path):
    config = str(ROOT / 'configs' / 'hoi' / 'gem_distlabel.py')
    data = _vcoco_layout(tmp_path)
    pretrained = save_tiny_pretrained(tmp_path / 'my_pretrained')
    three = [f'data_root={data}', f'pretrained_root={pretrained}', 'work_dir=work_dirs/mine']
    # not needed to run on one's own folders: only shortens the 20-epoch schedule
    shorter = ['train_cfg.max_epochs=1', 'train_cfg.val_interval=1']
    train = run_tool(['train.py', config, '--cfg-options', *three, *shorter], tmp_path)
    log = train.stdout + train.stderr
    assert 'hoi/macro_f1' in log and 'grounding/acc_at_0_5' in log
    ckpt = tmp_path / 'work_dirs' / 'mine' / 'epoch_1.pth'
    assert ckpt.is_file()
    test = run_tool(['test.py', config, str(ckpt), '--cfg-options', *three], tmp_path)
    for key in ('hoi/macro_f1', 'grounding/acc_at_0_5', 'grounding/miou'):
        assert key in test.stdout, key
    # and queried the documented way: tools/infer.py with the same three options
    image = data / 'images' / 'val2014' / '000000.png'
    boxes = ['--subject-box', '10', '5', '50', '90', '--object-box', '40', '40', '80', '80']
    infer = run_tool(
        ['infer.py', config, str(ckpt), str(image), '--task', 'hoi', *boxes]
        + ['--object-name', 'cup', '--out-dir', 'work_dirs/mine/infer', '--cfg-options', *three],
        tmp_path,
    )
    assert 'Answer' in infer.stdout and 'relations' in infer.stdout, infer.stdout
    result = json.loads((tmp_path / 'work_dirs' / 'mine' / 'infer' / '000000.json').read_text())
    assert result['task'] == 'hoi' and result['image_size'] == [96, 96]
    assert result['prompt'].startswith('What is the interaction between person<loc_')
    assert ' and cup<loc_' in result['prompt'], result['prompt']


def test_grounding_then_hoi_resume_never_mixes_work_dirs(tmp_path):
    """configs/grounding/ce_onehot_toy.py, then configs/hoi/ce_onehot_toy.py
    --resume: the HOI run has no checkpoint of its own and starts fresh in
    its own work dir instead of resuming the grounding one."""
    from vltoolkit.datasets.toy import make_toy_hoi, make_toy_refcoco

    grounding = str(ROOT / 'configs' / 'grounding' / 'ce_onehot_toy.py')
    hoi = str(ROOT / 'configs' / 'hoi' / 'ce_onehot_toy.py')
    make_toy_refcoco(str(tmp_path / 'data' / 'toy_refcoco'), num_train=8, num_val=4, seed=0)
    make_toy_hoi(str(tmp_path / 'data' / 'toy_hoi'), num_train=8, num_test=4, seed=0)
    for config in (grounding, hoi):
        run_tool(['data/build_tokenizer.py', config], tmp_path)
    one = ['train_cfg.max_epochs=1', 'train_cfg.val_interval=1']
    run_tool(['train.py', grounding, '--cfg-options', *one], tmp_path)
    assert (tmp_path / 'work_dirs' / 'grounding' / 'ce_onehot_toy' / 'epoch_1.pth').is_file()
    resumed = run_tool(['train.py', hoi, '--resume', '--cfg-options', *one], tmp_path)
    log = resumed.stdout + resumed.stderr
    # no checkpoint of its own: the run says so plainly and trains from scratch
    assert 'starting from scratch' in log
    assert 'Load checkpoint from' not in log and 'resumed epoch' not in log
    assert not [line for line in log.splitlines() if 'work_dirs/grounding' in line]
    assert (tmp_path / 'work_dirs' / 'hoi' / 'ce_onehot_toy' / 'epoch_1.pth').is_file()
    assert 'hoi/macro_f1' in log
