"""Look at what the data pipeline feeds the model, as pictures.

    python tools/analysis/browse_dataset.py CONFIG [--split train|val|test] [-n N] [--out-dir DIR]

Each picture is the image as the model gets it (after resizing), the
annotated boxes (green), the boxes written as location tokens in the target
decoded back by the recipe's box coder (red, with their phrase) and in the
prompt (listed under the picture), the prompt and the target: a quick check
of a data set or a prompt template by eye. Default output:
``work_dirs/browse/{config stem}/{split}``.
"""

import argparse
import os
import os.path as osp

from vltoolkit.utils.cli import CfgOptionsAction


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Draw the pipeline output of a data split')
    p.add_argument('config')
    p.add_argument('--split', default='train', choices=['train', 'val', 'test'])
    p.add_argument('-n', '--num', type=int, default=8, help='samples to draw')
    p.add_argument('--out-dir')
    p.add_argument(
        '--cfg-options',
        nargs='+',
        action=CfgOptionsAction,
        metavar='KEY=VALUE',
        help='override config keys',
    )
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from mmengine.registry import init_default_scope
    from rich.progress import track

    from vltoolkit.apis.recipe import recipe_box_coder, split_dataloader
    from vltoolkit.engine.runner import prepare_config
    from vltoolkit.evaluation.parsers.answer import boxes_with_phrases
    from vltoolkit.registry import DATASETS, VISUALIZERS

    cfg = prepare_config(args.config, args.cfg_options)  # overrides, ${data_root} & co.
    init_default_scope(cfg.get('default_scope', 'vltoolkit'))
    dataset = DATASETS.build(split_dataloader(cfg, args.split).dataset)
    coder = recipe_box_coder(cfg)
    stem = osp.splitext(osp.basename(args.config))[0]
    out_dir = args.out_dir or osp.join('work_dirs', 'browse', stem, args.split)
    os.makedirs(out_dir, exist_ok=True)
    visualizer = VISUALIZERS.build(dict(type='VLVisualizer', name=f'browse_{stem}'))
    n = min(args.num, len(dataset))
    for i in track(range(n), description=f'drawing {n} {args.split} samples'):
        item = dataset[i]
        sample = item['data_samples']
        image = item['inputs']['image'].permute(1, 2, 0).numpy()
        h, w = image.shape[:2]
        targets, extra = [], []
        if coder is not None:
            targets = boxes_with_phrases(sample.get('target_text'), coder, (w, h))
            for box in boxes_with_phrases(sample.get('prompt'), coder, (w, h)):
                extra.append(f"prompt box {box['phrase'] or '-'}: {box['box']}")
        visualizer.add_datasample(
            str(i),
            image,
            sample,
            out_file=osp.join(out_dir, f'{i:04d}.png'),
            pred_boxes=targets,
            extra_lines=extra,
        )
    print(
        f'wrote {n} pictures to {out_dir} (green: annotated boxes, red: '
        'target location tokens decoded)'
    )
    return out_dir


if __name__ == '__main__':
    main()
