"""Total / trainable parameters per top-level module of a config's model.

``python tools/analysis/count_params.py CONFIG [--cfg-options k=v ...]
[--without-weights] [--vocab-size NAME=N ...]``

Builds the model (frozen_modules and LoRA applied as in training) and prints
the table and a ``trained X / total Y`` line; nothing is trained or
downloaded. When a weights or tokenizer file the recipe names is not on
disk (or with ``--without-weights``), the model is built on the meta device
from the architecture the config describes (``config=`` / timm
``model_name``) and tokenizers are replaced by placeholders of the released
vocabulary size (``vltoolkit.models.utils.sizing``): no file, no memory. A
pretrained-VLM recipe is counted from its ``hf_config`` (the released sizes).
"""

import argparse
import contextlib
import logging

from mmengine.registry import init_default_scope

from vltoolkit.engine.runner import prepare_config
from vltoolkit.utils.cli import add_cfg_options


@contextlib.contextmanager
def _without_the_models_own_table():
    """Models log their parameter table at INFO when built; this tool
    prints the table itself, once (warnings still show)."""
    from mmengine.logging import MMLogger

    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    add_cfg_options(parser)
    parser.add_argument(
        '--without-weights',
        action='store_true',
        help='build from the architecture the config describes, on '
        'the meta device, even where the files are there',
    )
    parser.add_argument(
        '--vocab-size',
        nargs='+',
        default=[],
        metavar='NAME=N',
        help='vocabulary size of a tokenizer folder not on disk '
        '(by folder name) that vltoolkit does not know',
    )
    args = parser.parse_args(argv)
    cfg = prepare_config(args.config, args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'vltoolkit'))
    from vltoolkit.models.utils.freeze import count_parameters, parameter_table_text
    from vltoolkit.models.utils.sizing import build_on_meta, config_without_files
    from vltoolkit.registry import MODELS

    sizes = {k: int(v) for k, v in (item.split('=', 1) for item in args.vocab_size)}
    model_cfg = cfg.model.to_dict()
    scale = cfg.get('img_scale', (96, 96))
    no_files = config_without_files(
        model_cfg,
        sizes,
        hf_config=cfg.get('hf_config'),
        image_size=scale if isinstance(scale, int) else scale[0],
    )
    if args.without_weights and no_files == model_cfg and cfg.get('hf_config'):
        # the files are there: --without-weights sizes the released config
        no_files = config_without_files(
            dict(model_cfg, pretrained='<without weights>'), sizes, hf_config=cfg.hf_config
        )
    with _without_the_models_own_table():
        if args.without_weights or no_files != model_cfg:
            model, how = build_on_meta(no_files), 'meta device, no files'
        else:
            model, how = MODELS.build(model_cfg), 'built'
    print(parameter_table_text(model))
    rows = count_parameters(model)
    total, trained = rows[-1][1:]
    print(
        f'{cfg.model.type} ({how}): trained {trained:,} / total {total:,} '
        f'({100 * trained / max(total, 1):.2f}%)'
    )
    return rows


if __name__ == '__main__':
    main()
