"""Turn a DeepSpeed (ZeRO-2/3) checkpoint folder into one ordinary checkpoint.

``python tools/model_converters/deepspeed_to_mmengine.py CKPT_DIR OUT.pth``

mmengine's DeepSpeedStrategy saves ``epoch_N.pth/`` as a DeepSpeed folder
(``mp_rank_00_model_states.pt`` plus one ZeRO shard file per rank). This
gathers the fp32 weights with DeepSpeed's own ``zero_to_fp32`` reader and
saves ``dict(state_dict=..., meta=...)``, the shape of a DDP / FSDP
checkpoint, which ``tools/test.py`` and ``load_from=`` read through the safe
loader. FSDP runs of ``configs/_base_/strategies/fsdp.py`` need no
conversion (their checkpoint is gathered on rank 0). Needs the optional
``deepspeed`` package.
"""

import argparse
import importlib.util
import os.path as osp

import torch


def convert(ckpt_dir: str, out: str) -> dict:
    if importlib.util.find_spec('deepspeed') is None:
        raise ImportError(
            'reading a DeepSpeed checkpoint needs the optional `deepspeed` '
            'package: pip install --no-build-isolation deepspeed'
        )
    if not osp.isdir(ckpt_dir):
        raise FileNotFoundError(
            f'{ckpt_dir!r} is not a DeepSpeed checkpoint folder (a DeepSpeed run saves '
            'work_dir/epoch_N.pth/ as a folder; an ordinary .pth file needs no conversion)'
        )
    from deepspeed.utils.zero_to_fp32 import get_fp32_state_dict_from_zero_checkpoint

    state_dict = get_fp32_state_dict_from_zero_checkpoint(ckpt_dir)
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
