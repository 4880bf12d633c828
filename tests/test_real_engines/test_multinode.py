"""Two torchrun "nodes" on localhost (NNODES=2, NODE_RANK=0/1, one process
each, tools/dist_train.sh) train the weights one node with two processes
trains, bit for bit."""

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

from .conftest import DIST_OPTS, TOY_CFG, free_port, max_weight_diff, weights

# one worker builds the session's ddp_reference (~1 min) for this module and
# test_deepspeed.py (tests/conftest.py groups by module fixtures only)
pytestmark = [pytest.mark.real_engine, pytest.mark.slow, pytest.mark.xdist_group('ddp_reference')]


def test_two_localhost_nodes_equal_one_node_with_two_processes(toy_dir, ddp_reference):
    work = toy_dir / 'work_dirs' / 'two_nodes'
    port = free_port()
    nodes = []
    for node_rank in (0, 1):
        env = dict(
            os.environ,
            NNODES='2',
            NODE_RANK=str(node_rank),
            MASTER_ADDR='127.0.0.1',
            PORT=str(port),
            PYTHON=sys.executable,
            OMP_NUM_THREADS='1',
            PYTHONHASHSEED='0',
        )
        cmd = ['bash', str(ROOT / 'tools' / 'dist_train.sh'), TOY_CFG, '1',
               '--work-dir', str(work), '--cfg-options', *DIST_OPTS]  # fmt: skip
        nodes.append(
            subprocess.Popen(
                cmd,
                cwd=toy_dir,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )  # fmt: skip
        )
    try:
        outs = [node.communicate(timeout=600)[0] for node in nodes]
    finally:
        for node in nodes:  # stop by PID whatever happened
            if node.poll() is None:
                node.kill()
                node.wait()
    for node, out in zip(nodes, outs):
        assert node.returncode == 0, out[-4000:]
    assert 'Distributed training: True' in outs[0]
    assert max_weight_diff(weights(ddp_reference), weights(work / 'epoch_2.pth')) == 0.0
