"""``--launcher slurm`` on a CPU node: the variables srun sets become torch's
``env://`` variables (mmengine's Slurm set-up would call
``torch.cuda.set_device`` and fail without a GPU)."""

import os

import pytest

from vltoolkit.compat.cpu_distributed import slurm_env

KEYS = ('RANK', 'WORLD_SIZE', 'LOCAL_RANK', 'MASTER_ADDR', 'MASTER_PORT')


@pytest.fixture
def srun_env(monkeypatch, tmp_path):
    scontrol = tmp_path / 'scontrol'  # `scontrol show hostname node[07-08]`
    scontrol.write_text(
        '#!/usr/bin/env bash\n[ "$3" = "node[07-08]" ] && printf "node07\\nnode08\\n"\n'
    )
    scontrol.chmod(0o755)
    monkeypatch.setenv('PATH', f'{tmp_path}:{os.environ["PATH"]}')
    for key in KEYS:
        # set first, so that the key slurm_env() writes is removed again after the test
        # (delenv of an absent key records nothing to undo: RANK=3 leaked into later tests)
        monkeypatch.setenv(key, '')
        monkeypatch.delenv(key)
    for key, value in dict(
        SLURM_PROCID='3', SLURM_NTASKS='4', SLURM_LOCALID='1', SLURM_NODELIST='node[07-08]'
    ).items():
        monkeypatch.setenv(key, value)


def test_slurm_variables_become_torch_variables(srun_env, monkeypatch):
    monkeypatch.setenv('LOCAL_RANK', '0')  # what merge_args exports by default
    slurm_env()
    assert [os.environ[k] for k in KEYS] == ['3', '4', '1', 'node07', '29500']


def test_a_port_from_the_config_and_an_address_from_the_environment_win(srun_env, monkeypatch):
    monkeypatch.setenv('MASTER_ADDR', '10.0.0.9')
    slurm_env(port=29611)
    assert (os.environ['MASTER_ADDR'], os.environ['MASTER_PORT']) == ('10.0.0.9', '29611')


def test_outside_srun_the_error_says_how_to_start(srun_env, monkeypatch):
    monkeypatch.delenv('SLURM_PROCID')
    with pytest.raises(RuntimeError, match=r'SLURM_PROCID missing.*tools/slurm_train.sh'):
        slurm_env()
