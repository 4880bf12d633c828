"""Write the tiny random model folder a pretrained-VLM toy recipe loads.

``python tools/data/make_toy_vlm.py CONFIG [--out DIR] [--width 64] [--cfg-options KEY=VALUE ...]``

For the ``_toy`` twins of the pretrained-VLM recipes: the config's model
type gives the registered family
(``vltoolkit.models.pretrained_vlms.FAMILIES``), its ``pretrained`` the output folder
and its ``img_scale`` the processor's image size. The folder holds what a
hub download holds, at toy size (``vltoolkit.models.pretrained_vlms.toy``):
a tokenizer learnt from the recipe's training texts (those
``tools/data/build_tokenizer.py`` collects) that holds the model's own
special and location tokens, a random model of the real architecture with
tiny widths, and its ``preprocessor_config.json``. Nothing is downloaded.
"""

import argparse
import importlib.util
import os.path as osp

from mmengine.registry import init_default_scope

from vltoolkit.engine.runner import prepare_config
from vltoolkit.utils.cli import add_cfg_options


def _collect_texts(cfg):
    path = osp.join(osp.dirname(osp.abspath(__file__)), 'build_tokenizer.py')
    spec = importlib.util.spec_from_file_location('build_tokenizer', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.collect_texts(cfg)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('--out', help='output folder (default: the config\'s `pretrained`)')
    parser.add_argument(
        '--width', type=int, default=64, help='hidden size of the language model (default 64)'
    )
    parser.add_argument('--seed', type=int, default=0)
    add_cfg_options(parser)
    args = parser.parse_args(argv)
    cfg = prepare_config(args.config, args.cfg_options)
    init_default_scope('vltoolkit')
    from vltoolkit.models.pretrained_vlms import FAMILIES, get_family

    try:
        family = get_family(str(cfg.model.get('type'))).name
    except KeyError:
        raise SystemExit(
            f'{args.config}: model type {cfg.model.get("type")!r} is not a pretrained '
            f'VLM (families: {sorted(FAMILIES)})'
        ) from None
    out = args.out or cfg.model.get('pretrained')
    width, height = cfg.get('img_scale', (96, 96))
    if width != height:
        raise SystemExit(f'img_scale {cfg.img_scale}: the toy VLMs take square images')
    from vltoolkit.models.pretrained_vlms.toy import save_toy_vlm

    texts = _collect_texts(cfg)
    save_toy_vlm(family, out, texts, image_size=width, width=args.width, seed=args.seed)
    print(
        f'saved a tiny random {family} model ({width} px, width '
        f'{args.width}) with a tokenizer learnt from {len(texts)} texts to {out}'
    )


if __name__ == '__main__':
    main()
