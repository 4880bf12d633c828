"""Total / trainable parameters per top-level module of a config's model.

``python tools/analysis/count_params.py CONFIG [--cfg-options k=v ...]``

Builds the model on the CPU (frozen_modules and LoRA applied as in
training) and prints the table; nothing is trained or downloaded. A
pretrained-VLM recipe whose weights are not here (or ``--without-weights``)
is counted from its ``hf_config`` (the released checkpoint's sizes) on the
meta device: no file, no memory.
"""
import os.path as osp
import argparse

from mmengine.registry import init_default_scope

from vltoolkit.utils.cli import CfgOptionsAction
from vltoolkit.utils.config_refs import load_config


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction,
                        metavar='KEY=VALUE', help='override config keys')
    parser.add_argument('--without-weights', action='store_true',
                        help='count a pretrained VLM recipe from its hf_config')
    args = parser.parse_args(argv)
    cfg = load_config(args.config, args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'vltoolkit'))
    from vltoolkit.models.utils.freeze import count_parameters, parameter_table_text
    from vltoolkit.registry import MODELS
    if cfg.get('hf_config') and (args.without_weights or not osp.isdir(
            str(cfg.model.get('pretrained')))):
        from vltoolkit.models.pretrained_vlms.counting import count_without_weights
        rows = count_without_weights(cfg.model, cfg.hf_config)
        total, trained = rows[-1][1:]
        print(f'{cfg.model.type} from hf_config (no weights): trained '
              f'{trained:,} / total {total:,} ({100 * trained / total:.2f}%)')
        return rows
    model = MODELS.build(cfg.model)
    print(parameter_table_text(model))
    return count_parameters(model)


if __name__ == '__main__':
    main()
