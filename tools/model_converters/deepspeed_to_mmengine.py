"""Turn a DeepSpeed (ZeRO-2/3) checkpoint folder into one ordinary checkpoint.

``python tools/model_converters/deepspeed_to_mmengine.py CKPT_DIR OUT.pth``

mmengine's DeepSpeedStrategy saves ``epoch_N.pth/`` as a DeepSpeed folder
(``mp_rank_00_model_states.pt`` plus one ZeRO shard file per rank) with
``engine.save_checkpoint(work_dir, tag='epoch_N.pth', save_latest=False)``,
so there is no ``latest`` file: the tag is the folder's name, read here from
the path. (A DeepSpeed parent folder with a ``latest`` file is read as
DeepSpeed's own tools read it.) This gathers the fp32 weights with
DeepSpeed's own ``zero_to_fp32`` reader and
saves ``dict(state_dict=..., meta=...)``, the shape of a DDP / FSDP
checkpoint, which ``tools/test.py`` and ``load_from=`` read through the safe
loader. FSDP runs of ``configs/_base_/strategies/fsdp.py`` need no
conversion (their checkpoint is gathered on rank 0). Needs the optional
``deepspeed`` package.
"""

import argparse
import glob
import importlib.util
import os.path as osp

import torch


def deepspeed_dir_and_tag(ckpt_dir: str) -> tuple:
    """``(checkpoint_dir, tag)`` for DeepSpeed's readers: a folder with a
    ``latest`` file is a DeepSpeed save root (tag from that file); a folder
    with the model-state files is one tag (``work_dir/epoch_2.pth`` ->
    ``(work_dir, 'epoch_2.pth')``)."""
    ckpt_dir = osp.normpath(ckpt_dir)
    if osp.isfile(osp.join(ckpt_dir, 'latest')):
        return ckpt_dir, None
    if glob.glob(osp.join(ckpt_dir, '*model_states.pt')):
        return osp.dirname(osp.abspath(ckpt_dir)), osp.basename(ckpt_dir)
    raise FileNotFoundError(
        f'{ckpt_dir!r} holds no DeepSpeed model states (*model_states.pt) and no '
        '`latest` file: pass the checkpoint folder a DeepSpeed run saved, e.g. '
        'work_dir/epoch_2.pth'
    )


def convert(ckpt_dir: str, out: str) -> dict:
    if importlib.util.find_spec('deepspeed') is None:
        raise ImportError(
            'reading a DeepSpeed checkpoint needs the optional `deepspeed` '
            'package: DS_BUILD_OPS=0 pip install --no-build-isolation deepspeed'
        )
    if not osp.isdir(ckpt_dir):
        raise FileNotFoundError(
            f'{ckpt_dir!r} is not a DeepSpeed checkpoint folder (a DeepSpeed run saves '
            'work_dir/epoch_N.pth/ as a folder; an ordinary .pth file needs no conversion)'
        )
    from deepspeed.utils.zero_to_fp32 import get_fp32_state_dict_from_zero_checkpoint

    state_dict = get_fp32_state_dict_from_zero_checkpoint(*deepspeed_dir_and_tag(ckpt_dir))
    checkpoint = dict(
        state_dict=state_dict, meta=dict(converted_from=osp.abspath(ckpt_dir), format='deepspeed')
    )
    torch.save(checkpoint, out)
    return checkpoint


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('checkpoint_dir', help='a DeepSpeed checkpoint folder (epoch_N.pth/)')
    parser.add_argument('out', help='the checkpoint file to write (.pth)')
    args = parser.parse_args(argv)
    ckpt = convert(args.checkpoint_dir, args.out)
    print(f'saved {len(ckpt["state_dict"])} tensors to {args.out}')


if __name__ == '__main__':
    main()
