"""deepspeed_to_mmengine.py finds DeepSpeed's (checkpoint_dir, tag) in the
folder mmengine saves (``tag='epoch_N.pth'``, no ``latest`` file) and in a
DeepSpeed save root (a ``latest`` file names the tag). The conversion of real
ZeRO-2 / ZeRO-3 folders: tests/test_real_engines/test_deepspeed.py."""

import runpy

import pytest

from tests.conftest import ROOT

CONVERTER = ROOT / 'tools' / 'model_converters' / 'deepspeed_to_mmengine.py'


@pytest.fixture(scope='module')
def dir_and_tag():
    return runpy.run_path(str(CONVERTER))['deepspeed_dir_and_tag']


@pytest.mark.parametrize(
    'states', ['mp_rank_00_model_states.pt', 'zero_pp_rank_0_mp_rank_00_model_states.pt']
)
def test_an_mmengine_folder_is_its_parent_and_tag(tmp_path, dir_and_tag, states):
    ckpt = tmp_path / 'work' / 'epoch_2.pth'  # ZeRO-2 / ZeRO-3 model-state names
    ckpt.mkdir(parents=True)
    (ckpt / states).write_bytes(b'')
    assert dir_and_tag(str(ckpt) + '/') == (str(tmp_path / 'work'), 'epoch_2.pth')


def test_a_deepspeed_save_root_keeps_its_latest_file(tmp_path, dir_and_tag):
    (tmp_path / 'latest').write_text('global_step8')
    assert dir_and_tag(str(tmp_path)) == (str(tmp_path), None)


def test_a_folder_without_model_states_says_what_to_pass(tmp_path, dir_and_tag):
    with pytest.raises(FileNotFoundError, match=r'no DeepSpeed model states.*epoch_2.pth'):
        dir_and_tag(str(tmp_path))
